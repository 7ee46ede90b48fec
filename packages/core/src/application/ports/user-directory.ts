/** A portal user as the partner-team surface sees them. */
export interface DirectoryUser {
  readonly id: string;
  readonly name: string;
  /** Normalised email address. */
  readonly email: string;
  readonly mfaEnabled: boolean;
  /** Last activity in the portal, null when unknown. */
  readonly lastActiveAt: Date | null;
}

/** Read access to portal users (name, email, MFA status, last activity). */
export interface UserDirectory {
  findById(userId: string): Promise<DirectoryUser | undefined>;
  /** `email` is normalised. */
  findByEmail(email: string): Promise<DirectoryUser | undefined>;
}
