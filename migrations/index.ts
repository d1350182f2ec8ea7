import { InitialSchema1763769600000 } from './1763769600000-initial-schema';

/** Every migration, in order. Listed explicitly so the app, the CLI and tests load the same set. */
export const MIGRATIONS = [InitialSchema1763769600000];
