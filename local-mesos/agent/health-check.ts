// Agent-run (MESOS_HTTP / MESOS_TCP / COMMAND) health checks with Mesos' timing semantics:
// first check after delay_seconds, then every interval_seconds, each bounded by timeout_seconds;
// failures inside grace_period_seconds are ignored until the first success; every health change
// and every unhealthy result is reported; consecutive_failures failures kill the task.
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import type { HealthCheckMsg } from '../codec/types';

export interface HealthCheckContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
  host?: string;
}

export interface HealthCheckSink {
  report(healthy: boolean): void;
  kill(): void;
}

export class HealthChecker {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private consecutiveFailures = 0;
  private everSucceeded = false;
  private lastHealthy: boolean | undefined;
  private readonly startedAt = Date.now();

  constructor(
    private readonly hc: HealthCheckMsg,
    private readonly ctx: HealthCheckContext,
    private readonly sink: HealthCheckSink,
  ) {}

  start(): void {
    this.schedule((this.hc.delay_seconds ?? 15) * 1000);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.runOnce(), ms);
  }

  private async runOnce(): Promise<void> {
    const timeoutMs = (this.hc.timeout_seconds ?? 20) * 1000;
    const ok = await this.check(timeoutMs).catch(() => false);
    if (this.stopped) return;
    this.record(ok);
    this.schedule((this.hc.interval_seconds ?? 10) * 1000);
  }

  private record(ok: boolean): void {
    if (ok) {
      this.everSucceeded = true;
      this.consecutiveFailures = 0;
      if (this.lastHealthy !== true) this.sink.report(true);
      this.lastHealthy = true;
      return;
    }
    const inGrace = !this.everSucceeded && Date.now() - this.startedAt < (this.hc.grace_period_seconds ?? 10) * 1000;
    if (inGrace) return;
    this.consecutiveFailures++;
    this.lastHealthy = false;
    this.sink.report(false);
    if (this.consecutiveFailures >= (this.hc.consecutive_failures ?? 3)) {
      this.stop();
      this.sink.kill();
    }
  }

  private check(timeoutMs: number): Promise<boolean> {
    const host = this.ctx.host ?? '127.0.0.1';
    switch (this.hc.type) {
      case 'HTTP':
        return httpCheck(host, this.hc.http?.port ?? 0, this.hc.http?.path ?? '/', this.hc.http?.scheme ?? 'http', timeoutMs);
      case 'TCP':
        return tcpCheck(host, this.hc.tcp?.port ?? 0, timeoutMs);
      case 'COMMAND':
      default:
        return commandCheck(this.hc.command?.value ?? 'false', this.hc.command?.shell !== false, this.hc.command?.arguments ?? [], this.ctx, timeoutMs);
    }
  }
}

/** 200–399 is healthy, as the built-in executors do (statuses are ignored). */
export function httpCheck(host: string, port: number, urlPath: string, scheme: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const lib = scheme === 'https' ? https : http;
    const req = lib.get({ host, port, path: urlPath.startsWith('/') ? urlPath : `/${urlPath}`, timeout: timeoutMs, rejectUnauthorized: false, agent: false }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 400);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(false));
  });
}

export function tcpCheck(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

export function commandCheck(value: string, shell: boolean, args: string[], ctx: HealthCheckContext, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const file = shell ? '/bin/sh' : value;
    const argv = shell ? ['-c', value] : args.slice(1);
    const child = spawn(file, argv, { cwd: ctx.cwd, env: ctx.env, detached: true, stdio: 'ignore' });
    const timer = setTimeout(() => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.once('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0);
    });
  });
}
