export * from './verdict';
export * from './target';
export * from './replace-before-kill';
export * from './circuit-breaker';
export * from './kill-rate-limit';
export * from './lag-window';
export * from './plan';
export * from './stored';
