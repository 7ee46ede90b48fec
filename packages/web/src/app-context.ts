import type { ApiProblem } from './api.js';

/**
 * Lets a section hand a problem to the page: returns true when the page dealt with it (the session
 * ended, the membership or organisation changed underneath), false when the section should explain
 * it where the user acted.
 */
export type ProblemHandler = (problem: ApiProblem) => boolean;
