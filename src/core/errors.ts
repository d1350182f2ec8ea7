/**
 * Domain errors carry a code; exactly one place (src/common/domain-error.filter.ts) maps codes to
 * HTTP statuses. Services and the core throw these, never framework HTTP exceptions.
 */

/** One entry of Marathon's 422 body: `{"path":"/upgradeStrategy/minimumHealthCapacity","errors":["is greater than 1"]}`. */
export interface ValidationDetail {
  readonly path: string;
  readonly errors: readonly string[];
}

export enum DomainErrorCode {
  /** 400: the request cannot be read (malformed JSON, bad query parameter). */
  BAD_REQUEST = 'BAD_REQUEST',
  /** 422: the request was read but is not a valid object; `details` lists per-path errors. */
  VALIDATION = 'VALIDATION',
  APP_NOT_FOUND = 'APP_NOT_FOUND',
  APP_VERSION_NOT_FOUND = 'APP_VERSION_NOT_FOUND',
  DEPLOYMENT_NOT_FOUND = 'DEPLOYMENT_NOT_FOUND',
  GROUP_NOT_FOUND = 'GROUP_NOT_FOUND',
  TASK_NOT_FOUND = 'TASK_NOT_FOUND',
  NOT_FOUND = 'NOT_FOUND',
  /** 409: POST of an id that exists. */
  APP_EXISTS = 'APP_EXISTS',
  /** 409: the change touches an app owned by a running deployment; `deployments` lists them. */
  APP_LOCKED = 'APP_LOCKED',
  /** 409: any other state conflict. */
  CONFLICT = 'CONFLICT',
  /** 403: too many running deployments. */
  TOO_MANY_DEPLOYMENTS = 'TOO_MANY_DEPLOYMENTS',
  /** 413: body over the configured limit. */
  PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE',
  /** 503: no leader known, or a bounded wait ran out. */
  UNAVAILABLE = 'UNAVAILABLE',
}

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    /** Extra keys merged into the error body (e.g. `details`, `deployments`). */
    readonly extra: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }

  static validation(details: readonly ValidationDetail[], message = 'Object is not valid'): DomainError {
    return new DomainError(DomainErrorCode.VALIDATION, message, { details });
  }

  static badRequest(message: string, details?: unknown): DomainError {
    return new DomainError(DomainErrorCode.BAD_REQUEST, message, details === undefined ? {} : { details });
  }
}

/** Exhaustiveness helper for switches over unions and enums. */
export function assertUnreachable(x: never): never {
  throw new Error(`unreachable: ${String(x)}`);
}
