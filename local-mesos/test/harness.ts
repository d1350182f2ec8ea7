// Shared setup for local-mesos integration tests: small intervals so every wait stays short.
import { startLocalMesos, type LocalMesos, type LocalMesosOptions } from '../index';

export const FAST: LocalMesosOptions = {
  port: 0,
  agents: 2,
  heartbeatIntervalSeconds: 0.2,
  allocationIntervalSeconds: 0.05,
  statusUpdateResendSeconds: 0.2,
  killGraceSeconds: 0.5,
};

export function startFast(overrides: LocalMesosOptions = {}): Promise<LocalMesos> {
  return startLocalMesos({ ...FAST, ...overrides });
}

export const ENCODINGS = ['json', 'protobuf'] as const;
