// The OTLP receiver block most spawned-agent tests start with, on free gRPC and HTTP ports.
import { freePort } from './ports.js';

export interface OtlpReceiverConfig {
  grpc: number;
  http: number;
  /** A top-level `receivers:` block naming `otlp`. */
  yaml: string;
}

/** The block for the protocols given a port. */
export function otlpReceiverYaml(ports: { grpc?: number; http?: number }): string {
  const grpc = ports.grpc === undefined ? '' : `      grpc: { endpoint: 127.0.0.1:${ports.grpc} }\n`;
  const http = ports.http === undefined ? '' : `      http: { endpoint: 127.0.0.1:${ports.http} }\n`;
  return `
receivers:
  otlp:
    protocols:
${grpc}${http}`;
}

export async function otlpReceiver(): Promise<OtlpReceiverConfig> {
  const [grpc, http] = [await freePort(), await freePort()];
  return { grpc, http, yaml: otlpReceiverYaml({ grpc, http }) };
}
