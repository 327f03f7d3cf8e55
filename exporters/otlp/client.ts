// The gRPC client lives in src/otlp (the loadbalancing exporter sends through it too).
export { grpcTarget, OtlpGrpcClient } from '../../src/otlp/grpc-client.js';
