import type { Clock } from '@partner-team/core';

export class SystemClock implements Clock {
  now(): Date {
    return new Date();
  }
}
