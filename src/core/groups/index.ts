export * from './tree';
export * from './group-info';
export * from './dependencies';
export * from './scale';
export * from './group-update';
