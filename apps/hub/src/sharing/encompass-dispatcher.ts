import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { SafeguardingNotification } from '#contracts';
import { londonTimeInWords, SchoolCalendar } from '#calendar';
import { notificationContent } from '#sharing';
import type { AlertAudience, AlertKind } from '../alerts/alert.entity.js';
import { AuditTrail, hubActing, type AuditRecord } from '../audit/audit-trail.js';
import { HubConfig } from '../config.js';
import { Outbox } from '../outbox/outbox.js';
import { WakeableRound } from '../wakeable-round.js';
import { ShareDesk } from './share-desk.js';

/** Pending notices decided per transaction: enough to keep up, few enough that the audit head is held briefly. */
const BATCH_SIZE = 50;
/** How long shutdown waits for a round in flight. */
const SHUTDOWN_WAIT_MS = 5_000;
const URN = /^\d{6}$/;

interface PendingEncompass {
  id: string;
  notification_id: string;
  child_index: number;
  contact_id: string;
  child_id: string;
  correlation_id: string;
  contact_number: string;
  message: SafeguardingNotification;
}

interface OverdueShare {
  id: string;
  contact_id: string | null;
  child_id: string | null;
  correlation_id: string;
  recipient_organisation: string | null;
  due_at: Date;
}

export interface EncompassRound {
  decided: number;
  sent: number;
  noSchool: number;
  overdueAlerts: number;
}

/**
 * Operation Encompass: sends each pending notice (recorded at intake, one per child) to the child's
 * school through the share desk, due before the next school day starts, and alerts the MASH manager
 * about every notice its school has not acknowledged by then.
 *
 * Pending shares are claimed with SKIP LOCKED inside the transaction that decides them, so two hubs
 * never decide one notice twice and a hub that stops mid-round leaves it pending for the next. The
 * share's contact is claimed with it (the lock an alert's reference to it needs), skipping a contact
 * that intake holds: waiting for it while holding other contacts could deadlock with intake, which
 * locks contacts in its own order. Such a share is taken at the next round. An
 * overdue alert is raised in the transaction that marks the share alerted, under the share's row
 * lock and the alert's unique key, so it is raised once however many hubs look.
 */
@Injectable()
export class EncompassDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(EncompassDispatcher.name);
  private readonly rounds: WakeableRound;
  private unsubscribe: (() => void) | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly desk: ShareDesk,
    private readonly calendar: SchoolCalendar,
    private readonly audit: AuditTrail,
    private readonly outbox: Outbox,
    @Inject(HubConfig) private readonly config: HubConfig,
  ) {
    // Nothing is half-done by a failed round (each batch is one transaction): the next round tries again.
    this.rounds = new WakeableRound(
      async () => {
        const round = await this.runOnce();
        if (round.decided || round.overdueAlerts) this.logger.log({ message: 'Operation Encompass round', ...round });
      },
      config.ENCOMPASS_POLL_INTERVAL_MS,
      this.logger,
      'Operation Encompass round',
    );
  }

  onApplicationBootstrap(): void {
    // Intake commits its pending notices through the outbox's notice too: look promptly, not at the next poll.
    this.unsubscribe = this.outbox.onCommitted(() => this.rounds.wake());
    this.rounds.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    // A round still running is rolled back when its connection closes: the notices stay pending for the next hub.
    if (!(await this.rounds.stop(SHUTDOWN_WAIT_MS))) this.logger.warn({ message: 'Encompass round still in flight at shutdown', waitedMs: SHUTDOWN_WAIT_MS });
  }

  /** Decides every pending notice and raises every overdue alert there is now. */
  async runOnce(): Promise<EncompassRound> {
    const total: EncompassRound = { decided: 0, sent: 0, noSchool: 0, overdueAlerts: 0 };
    for (;;) {
      const round = await this.dispatchPending();
      total.decided += round.decided;
      total.sent += round.sent;
      total.noSchool += round.noSchool;
      if (round.decided < BATCH_SIZE || this.rounds.isStopped) break;
    }
    for (;;) {
      const raised = await this.alertOverdue();
      total.overdueAlerts += raised;
      if (raised < BATCH_SIZE || this.rounds.isStopped) break;
    }
    if (total.sent) this.outbox.notifyCommitted();
    return total;
  }

  /** One batch of pending notices, decided and recorded in one transaction. */
  async dispatchPending(): Promise<Omit<EncompassRound, 'overdueAlerts'>> {
    return this.dataSource.transaction(async (manager) => {
      const pending = (await manager.query(
        `SELECT s.id, s.notification_id, s.child_index, s.contact_id, s.child_id, s.correlation_id, c.number::text AS contact_number, n.message
           FROM share s
           JOIN notification n ON n.id = s.notification_id
           JOIN contact c ON c.id = s.contact_id
          WHERE s.decision = 'pending' AND s.purpose = 'operation_encompass'
          ORDER BY s.created_at
          LIMIT $1
          FOR UPDATE OF s SKIP LOCKED
          FOR KEY SHARE OF c SKIP LOCKED`,
        [BATCH_SIZE],
      )) as PendingEncompass[];
      // Schools are looked up before anything is appended, so the audit chain's head is held only for the decisions.
      const schools = await Promise.all(pending.map((share) => this.schoolOf(manager, share)));
      let sent = 0;
      let noSchool = 0;
      const events: AuditRecord[] = [];
      for (const [index, share] of pending.entries()) {
        const { message } = share;
        const urn = schools[index];
        const recorded = await this.desk.decideAndRecordUnaudited(manager, {
          pendingShareId: share.id,
          purpose: 'operation_encompass',
          recipient: { agency: 'education', organisation: urn },
          content: notificationContent(message, share.child_index, share.contact_number),
          consent: null,
          ownerAgreed: false,
          contactId: share.contact_id,
          childId: share.child_id,
          notificationId: share.notification_id,
          childIndex: share.child_index,
          requestedBy: hubActing('police'),
          correlationId: share.correlation_id,
          dueAt: this.calendar.nextSchoolDayStart(new Date(message.occurredAt ?? message.reportedAt)),
        });
        events.push(recorded.event);
        if (recorded.decision.outcome === 'allow') sent += 1;
        else if (recorded.decision.reasons.some((reason) => reason.code === 'recipient_unknown')) {
          noSchool += 1;
          const raised = await this.raiseAlert(manager, {
            kind: 'encompass_no_school',
            audience: 'screener',
            shareId: share.id,
            contactId: share.contact_id,
            childId: share.child_id,
            correlationId: share.correlation_id,
            message: 'An Operation Encompass notice could not go to school: the child has no known school. Find the school and record its URN.',
          });
          if (raised) events.push(raised);
        } else {
          // Not expected under the policy; recorded as refused with its reasons, and said here without personal data.
          this.logger.warn({ message: 'Operation Encompass notice refused', shareId: share.id, reasons: recorded.decision.reasons.map((reason) => reason.code) });
        }
      }
      // Appended together at the end: the audit chain's head stays locked only for the last moment of the transaction.
      await this.audit.append(manager, events);
      return { decided: pending.length, sent, noSchool };
    });
  }

  /**
   * Alerts the manager once for each sent notice past its deadline that the school has not acknowledged;
   * returns how many it alerted. Claimed with SKIP LOCKED and marked in the same statement.
   */
  async alertOverdue(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const overdue = (await manager.query(
        `UPDATE share SET overdue_alerted_at = now()
          WHERE id IN (
            SELECT s.id FROM share s JOIN contact c ON c.id = s.contact_id
             WHERE s.decision = 'allowed' AND s.acknowledged_at IS NULL AND s.due_at IS NOT NULL AND s.overdue_alerted_at IS NULL
               AND s.purpose = 'operation_encompass' AND s.due_at < now()
             ORDER BY s.due_at
             LIMIT $1
             FOR UPDATE OF s SKIP LOCKED
             FOR KEY SHARE OF c SKIP LOCKED)
            AND overdue_alerted_at IS NULL
          RETURNING id, contact_id, child_id, correlation_id, recipient_organisation, due_at`,
        [BATCH_SIZE],
      )) as [OverdueShare[], number];
      const rows = overdue[0];
      const events: AuditRecord[] = [];
      for (const share of rows) {
        const raised = await this.raiseAlert(manager, {
          kind: 'encompass_unacknowledged',
          audience: 'manager',
          shareId: share.id,
          contactId: share.contact_id,
          childId: share.child_id,
          correlationId: share.correlation_id,
          message: `An Operation Encompass notice to school ${share.recipient_organisation} was not acknowledged by its deadline (${londonTimeInWords(share.due_at)}). Make sure the school's key adult has it.`,
        });
        if (raised) events.push(raised);
      }
      await this.audit.append(manager, events);
      return events.length;
    });
  }

  /**
   * The child's school: the URN on this notice, else the newest URN known for the child from the
   * notifications on the child's contacts (a URN given for the child, or a school that sent one).
   */
  private async schoolOf(manager: EntityManager, share: PendingEncompass): Promise<string | null> {
    const onNotice = share.message.subjects.children[share.child_index]?.schoolUrn;
    if (onNotice && URN.test(onNotice)) return onNotice;
    const [known] = (await manager.query(
      `SELECT urn FROM (
         SELECT n.reported_at, n.received_at,
                COALESCE(n.message->'subjects'->'children'->(cn.child_index)->>'schoolUrn',
                         CASE WHEN n.source_agency = 'education' THEN n.source_organisation END) AS urn
           FROM contact c
           JOIN contact_notification cn ON cn.contact_id = c.id
           JOIN notification n ON n.id = cn.notification_id
          WHERE c.child_id = $1 AND n.id <> $2) known
        WHERE urn ~ '^[0-9]{6}$'
        ORDER BY reported_at DESC, received_at DESC
        LIMIT 1`,
      [share.child_id, share.notification_id],
    )) as { urn: string }[];
    return known?.urn ?? null;
  }

  /**
   * Raises an alert, unless one of that kind is already raised for the share; returns its audit event
   * (for the caller to append in this transaction), or null when it raised none.
   */
  private async raiseAlert(
    manager: EntityManager,
    alert: { kind: AlertKind; audience: AlertAudience; shareId: string; contactId: string | null; childId: string | null; correlationId: string; message: string },
  ): Promise<AuditRecord | null> {
    const id = randomUUID();
    const inserted = (await manager.query(
      `INSERT INTO alert (id, kind, audience, contact_id, share_id, message, raised_at)
       VALUES ($1, $2, $3, $4, $5, $6, now())
       ON CONFLICT (share_id, kind) DO NOTHING
       RETURNING id`,
      [id, alert.kind, alert.audience, alert.contactId, alert.shareId, alert.message],
    )) as { id: string }[];
    if (!inserted.length) return null;
    return {
      actor: hubActing('police'),
      action: 'alert.raised',
      subject: { type: 'alert', id },
      childId: alert.childId,
      purpose: 'Operation Encompass',
      correlationId: alert.correlationId,
      details: { kind: alert.kind, audience: alert.audience, shareId: alert.shareId, contactId: alert.contactId },
    };
  }
}
