import { StoreUnavailableError } from '@partner-team/core';
import { MongoError, MongoNetworkError, MongoServerSelectionError, MongoTopologyClosedError } from 'mongodb';

/** A duplicate key: the one compare-and-set both FerretDB and MongoDB make atomic. */
export function isDuplicateKey(error: unknown): boolean {
  return error instanceof MongoError && error.code === 11000;
}

const unavailableCodes = new Set([
  50, // MaxTimeMSExpired
  89, // NetworkTimeout
  91, // ShutdownInProgress
  189, // PrimarySteppedDown
  6, // HostUnreachable
  7, // HostNotFound
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
]);

/** Maps "the store cannot answer now" to StoreUnavailableError (503); everything else passes through. */
export function translate(error: unknown): unknown {
  if (
    error instanceof MongoNetworkError || // includes MongoNetworkTimeoutError
    error instanceof MongoServerSelectionError ||
    error instanceof MongoTopologyClosedError ||
    (error instanceof MongoError && typeof error.code === 'number' && unavailableCodes.has(error.code))
  ) {
    return new StoreUnavailableError('The MongoDB store is unavailable', { cause: error });
  }
  return error;
}

/** Runs a store call, translating unavailability. */
export async function guarded<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error: unknown) {
    throw translate(error);
  }
}
