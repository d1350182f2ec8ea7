/** Set by tools that build the app only to read its metadata (OpenAPI generation): no DB connection. */
export const CONNECT_DATABASE = Symbol('CONNECT_DATABASE');
