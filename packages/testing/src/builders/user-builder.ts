import type { DirectoryUser } from '@partner-team/core';

/** Builds a directory user with deterministic defaults derived from the id. */
export class UserBuilder {
  private name: string;
  private email: string;
  private mfaEnabled = true;
  private lastActiveAt: Date | null = new Date('2026-01-10T12:00:00.000Z');

  constructor(private readonly id: string) {
    this.name = id.charAt(0).toUpperCase() + id.slice(1);
    this.email = `${id}@example.test`;
  }

  named(name: string): this {
    this.name = name;
    return this;
  }

  withEmail(email: string): this {
    this.email = email.toLowerCase();
    return this;
  }

  withoutMfa(): this {
    this.mfaEnabled = false;
    return this;
  }

  lastActive(at: Date | string | null): this {
    this.lastActiveAt = at === null ? null : new Date(at);
    return this;
  }

  build(): DirectoryUser {
    return { id: this.id, name: this.name, email: this.email, mfaEnabled: this.mfaEnabled, lastActiveAt: this.lastActiveAt };
  }
}

/** `aUser('ada').named('Ada Lovelace').build()` */
export function aUser(id: string): UserBuilder {
  return new UserBuilder(id);
}
