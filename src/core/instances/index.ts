export * from './ids';
export * from './backoff';
export * from './instance';
export * from './scale-down';
export * from './task-env';
