import type { Clock } from '@partner-team/core';

/** A clock that only moves when told to. */
export class FixedClock implements Clock {
  private current: number;

  constructor(start: Date | string = '2026-01-15T09:00:00.000Z') {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  advance(milliseconds: number): void {
    this.current += milliseconds;
  }

  set(at: Date | string): void {
    this.current = new Date(at).getTime();
  }
}
