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

/** What a sign-in or a directory sync knows about a user. */
export interface DirectoryUserUpdate {
  readonly id: string;
  readonly name: string;
  /** Normalised email address. */
  readonly email: string;
  readonly mfaEnabled: boolean;
  /** When present, replaces the stored last activity (a sync); when absent, the stored one is kept. */
  readonly lastActiveAt?: Date | null;
}

/** When a user was last seen active. */
export interface UserActivity {
  readonly userId: string;
  readonly at: Date;
}

/**
 * The portal's users: name, email, MFA status and last activity. The roster shows what the
 * directory holds, so every write here reaches the roster rows of the user's organisation.
 */
export interface UserDirectory {
  findById(userId: string): Promise<DirectoryUser | undefined>;
  /** The known users among `userIds` (unknown ids are left out), in no particular order. */
  findByIds(userIds: readonly string[]): Promise<DirectoryUser[]>;
  /** `email` is normalised. */
  findByEmail(email: string): Promise<DirectoryUser | undefined>;
  /**
   * Adds or replaces users. The whole batch is checked before anything is written: an email address
   * another user holds (in the directory or twice in the batch) refuses the batch.
   *
   * @throws `EmailInUseError` naming the first such address; nothing is written.
   */
  upsert(users: readonly DirectoryUserUpdate[]): Promise<void>;
  /** Raises each known user's last activity to `at` (never lowers it); unknown users are ignored. */
  recordActivity(activity: readonly UserActivity[]): Promise<void>;
}
