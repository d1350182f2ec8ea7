/** The only way Pacer reads time outside tests; the core gets `now` as a parameter. */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}
