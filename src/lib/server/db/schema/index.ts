export * from './network';
export * from './auth';
export * from './audit';
export * from './collab';
export * from './meetings';
export * from './minutes';
export * from './directory';
export * from './threads';
