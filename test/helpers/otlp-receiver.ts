// The OTLP receiver block most spawned-agent tests start with, on free gRPC and HTTP ports.
import { freePort } from './ports.js';

export interface OtlpReceiverConfig {
  grpc: number;
  http: number;
  /** A top-level `receivers:` block naming `otlp`. */
  yaml: string;
}

export function otlpReceiverYaml(grpc: number, http: number): string {
  return `
receivers:
  otlp:
    protocols:
      grpc: { endpoint: 127.0.0.1:${grpc} }
      http: { endpoint: 127.0.0.1:${http} }
`;
}

export async function otlpReceiver(): Promise<OtlpReceiverConfig> {
  const [grpc, http] = [await freePort(), await freePort()];
  return { grpc, http, yaml: otlpReceiverYaml(grpc, http) };
}
