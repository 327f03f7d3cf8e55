// One config with four mistakes, checked by the resolver (config.test) and the CLI (cli.test):
// a misspelled key (3:5), an unknown receiver type (4:3), a bad duration (7:14) and an
// undefined exporter (15:26).
export const FOUR_MISTAKES = `receivers:
  hostmetrics:
    colection_interval: 10s
  hostmetricz:
processors:
  batch:
    timeout: 10 parsecs
exporters:
  debug:
service:
  pipelines:
    metrics:
      receivers: [hostmetrics]
      processors: [batch]
      exporters: [debug, otlp/missing]
`;
