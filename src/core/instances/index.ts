export * from './ids';
export * from './backoff';
