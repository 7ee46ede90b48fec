import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './test-ports.js';

/** Where `sh scripts/mailpit.sh build` (run by `npm test`) puts Mailpit, unless MAILPIT_BIN says otherwise. */
export const mailpitBinary = process.env.MAILPIT_BIN ?? fileURLToPath(new URL('../../../../.cache/bin/mailpit', import.meta.url));

/** A message as Mailpit's API lists it. */
export interface MailSummary {
  readonly ID: string;
  readonly From: { readonly Name: string; readonly Address: string };
  readonly To: readonly { readonly Name: string; readonly Address: string }[];
  readonly Bcc: readonly { readonly Name: string; readonly Address: string }[] | null;
  readonly Subject: string;
}

/** A message with its parts. */
export interface Mail extends MailSummary {
  readonly Text: string;
  readonly HTML: string;
}

/**
 * A real SMTP server (Mailpit) started by a suite on free ports, with its HTTP API to read what
 * arrived. Missing Mailpit fails the suite (never skips it): `npm test` builds it.
 */
export class Mailpit {
  private child: ChildProcess | undefined;

  private constructor(
    readonly smtpPort: number,
    readonly httpPort: number,
    private readonly dir: string,
  ) {}

  static async start(): Promise<Mailpit> {
    if (!existsSync(mailpitBinary)) {
      throw new Error(`Mailpit was not found at ${mailpitBinary}: run \`sh scripts/mailpit.sh build\` (npm test does), or set MAILPIT_BIN`);
    }
    const mailpit = new Mailpit(await freePort(), await freePort(), await mkdtemp(join(tmpdir(), 'partner-team-mailpit-')));
    await mailpit.run();
    return mailpit;
  }

  get smtpUrl(): string {
    return `smtp://127.0.0.1:${this.smtpPort}`;
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  /** Starts it again on the same ports (after {@link stop}). */
  async run(): Promise<void> {
    const child = spawn(
      mailpitBinary,
      ['--smtp', `127.0.0.1:${this.smtpPort}`, '--listen', `127.0.0.1:${this.httpPort}`, '--database', join(this.dir, 'mailpit.db'), '--disable-version-check', '--smtp-disable-rdns', '--quiet'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    this.child = child;
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`Mailpit exited (${child.exitCode}): ${stderr}`);
      try {
        if ((await fetch(`${this.apiUrl}/readyz`)).ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`Mailpit did not answer within 20 s: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Stops the server (its messages stay for the next {@link run}). */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  /** Stops it and deletes its messages. */
  async close(): Promise<void> {
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
  }

  async messages(): Promise<MailSummary[]> {
    const answer = (await (await fetch(`${this.apiUrl}/api/v1/messages?limit=500`)).json()) as { messages: MailSummary[] };
    return answer.messages;
  }

  async message(id: string): Promise<Mail> {
    return (await (await fetch(`${this.apiUrl}/api/v1/message/${encodeURIComponent(id)}`)).json()) as Mail;
  }

  /** The raw header lines of a message. */
  async headers(id: string): Promise<Record<string, string[]>> {
    return (await (await fetch(`${this.apiUrl}/api/v1/message/${encodeURIComponent(id)}/headers`)).json()) as Record<string, string[]>;
  }

  /** Messages to `address`, newest first. */
  async messagesTo(address: string): Promise<Mail[]> {
    const list = (await this.messages()).filter((m) => m.To.some((to) => to.Address === address));
    return Promise.all(list.map((m) => this.message(m.ID)));
  }

  async deleteAll(): Promise<void> {
    await fetch(`${this.apiUrl}/api/v1/messages`, { method: 'DELETE' });
  }
}

/** The accept link of an invitation email (from its plain-text part). */
export function acceptLinkOf(mail: Mail): string {
  const link = /https?:\/\/\S+#accept=[A-Za-z0-9_%-]+/.exec(mail.Text)?.[0];
  if (link === undefined) throw new Error(`no accept link in: ${mail.Text}`);
  return link;
}
