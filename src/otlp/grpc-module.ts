// @grpc/grpc-js adds ~13 MiB of RSS when loaded: only components that speak gRPC load it, at
// start, so the default pipeline stays small.
import type * as Grpc from '@grpc/grpc-js';

let mod: typeof Grpc | undefined;

export async function loadGrpc(): Promise<typeof Grpc> {
  mod ??= (await import('@grpc/grpc-js')) as typeof Grpc;
  return mod;
}
