import { eq } from 'drizzle-orm';
import { HttpResponse, http } from 'msw';
import { afterEach, describe, expect, it } from 'vitest';
import { XERO_DOCUMENT_KINDS } from '../../../src/connectors/xero/connector.js';
import { connections, contacts, invoices, matters, timeEntries } from '../../../src/db/schema/index.js';
import { pullXeroResources, runXeroFullPass, syncXeroConnection } from '../../../src/providers/xero/index.js';
import type { PullXeroResources } from '../../../src/webhooks/accounting.js';
import { jsonFixture } from '../../support/fixtures.js';
import { recordRequests, server } from '../../support/msw.js';
import { type Harness, harness, list } from './harness.js';

// the webhook intake's seam takes our targeted pull as it is: wireXeroWebhooks(pullXeroResources)
const _fitsTheIntake: PullXeroResources = pullXeroResources;
void _fitsTheIntake;

describe('Xero completeness, parking, webhooks, time entries', () => {
  let h: Harness;
  afterEach(async () => h?.database.close());

  it('marks an archived contact and an invoice that vanished from Xero after the periodic full pass', async () => {
    h = await harness();
    const data = {
      Contacts: list('contacts-list.response.json', 'Contacts'),
      Invoices: list('invoices-list.response.json', 'Invoices'),
    };
    h.serve(data);
    await syncXeroConnection(h.deps, h.connectionId, { kinds: ['contacts', 'invoices'] });
    expect(await h.database.db.select().from(invoices)).toHaveLength(3);

    // Xero: the contact is archived without its UpdatedDateUTC moving, and INV-0003 is gone
    const archived = data.Contacts[1]!;
    archived.ContactStatus = 'ARCHIVED';
    data.Invoices = data.Invoices.filter((i) => i.InvoiceNumber !== 'INV-0003');
    const report = await runXeroFullPass(h.deps, h.connectionId, ['contacts', 'invoices']);
    expect(report.kinds.invoices?.vanished).toEqual(['7ef31b20-de17-4312-8382-412f869b1510']);
    expect(report.kinds.contacts?.vanished).toEqual([]);
    const [c] = await h.database.db
      .select()
      .from(contacts)
      .where(eq(contacts.externalId, String(archived.ContactID)));
    expect(c?.status).toBe('archived');
    const [gone] = await h.database.db
      .select()
      .from(invoices)
      .where(eq(invoices.externalId, '7ef31b20-de17-4312-8382-412f869b1510'));
    expect(gone?.status).toBe('deleted');
    expect(gone?.vanishedAt).toBeInstanceOf(Date);
    // the voided invoice keeps its status
    const [voided] = await h.database.db.select().from(invoices).where(eq(invoices.number, 'INV-0001'));
    expect(voided?.status).toBe('voided');
  });

  it('parks the connection on a daily-limit 429 until Retry-After, and sends nothing while parked', async () => {
    h = await harness();
    const limit = jsonFixture<{ dayLimit: { headers: Record<string, string> } }>(
      'xero',
      'rate-limit-429.response.json',
    );
    server.use(
      http.get(
        'https://api.xero.com/api.xro/2.0/Accounts',
        () => new HttpResponse('', { status: 429, headers: limit.dayLimit.headers }),
      ),
    );
    const out = await syncXeroConnection(h.deps, h.connectionId, { kinds: XERO_DOCUMENT_KINDS });
    const until = new Date(h.timer.now() + 66_975_000);
    expect(out).toMatchObject({ status: 'parked', until });
    const [conn] = await h.database.db.select().from(connections).where(eq(connections.id, h.connectionId));
    expect(conn?.parkedUntil?.toISOString()).toBe(until.toISOString());
    expect(conn?.status).toBe('active');
    const seen = recordRequests();
    const again = await syncXeroConnection(h.deps, h.connectionId, { kinds: XERO_DOCUMENT_KINDS });
    expect(again).toEqual({ status: 'parked', until, report: null });
    expect(seen).toHaveLength(0);
    // after Retry-After has passed the sync runs again
    h.clock.set(new Date(until.getTime() + 1000).toISOString());
    // (replay handlers registered now take precedence over the 429 handler)
    h.serve({ Accounts: list('accounts-list.response.json', 'Accounts') });
    const later = await syncXeroConnection(h.deps, h.connectionId, { kinds: ['accounts'] });
    expect(later.status).toBe('done');
  });

  it('pulls just the resources a webhook names', async () => {
    h = await harness();
    const data = {
      Contacts: list('contacts-list.response.json', 'Contacts'),
      Invoices: list('invoices-list.response.json', 'Invoices'),
      CreditNotes: list('credit-notes-list.response.json', 'CreditNotes'),
    };
    h.serve(data);
    const seen = recordRequests();
    const out = await pullXeroResources(h.deps, h.connectionId, [
      { category: 'INVOICE', resourceId: '046d8a6d-1ae1-4b4d-9340-5601bdf41b87' },
      { category: 'CONTACT', resourceId: '5cc8cf28-567e-4d43-b287-687cfcaec47c' },
      { category: 'CREDITNOTE', resourceId: '249f15fa-f2a7-4acc-8769-0984103f2225' },
      { category: 'PAYMENT', resourceId: 'ignored' },
    ]);
    expect(out).toEqual({ pulled: 3, errors: 0, ignored: 1, inserted: 3, updated: 0, unchanged: 0 });
    expect(
      seen.map((r) => `${new URL(r.url).pathname}?${new URL(r.url).searchParams.get('IDs') ?? ''}`),
    ).toEqual([
      '/api.xro/2.0/Invoices?046d8a6d-1ae1-4b4d-9340-5601bdf41b87',
      '/api.xro/2.0/Contacts?5cc8cf28-567e-4d43-b287-687cfcaec47c',
      '/api.xro/2.0/CreditNotes/249f15fa-f2a7-4acc-8769-0984103f2225?',
    ]);
    expect((await h.database.db.select().from(invoices)).map((i) => i.number)).toEqual(['INV-0002']);
  });

  it('lands time entries with exact durations and the rates of their tasks', async () => {
    h = await harness();
    const entries = jsonFixture<{ items: Record<string, unknown>[] }>(
      'xero',
      'projects-time-entries.response.json',
    ).items;
    const P1 = 'b021e7cb-1903-4292-b48b-5b27b4271e3e';
    const P0 = '00000000-0000-0000-0000-000000000000';
    // projects and tasks built from the Projects API documentation's shapes
    h.serve({
      Projects: [
        {
          projectId: P1,
          contactId: 'c-1',
          name: 'Estate of Smith',
          currencyCode: 'NZD',
          status: 'INPROGRESS',
          estimate: { currency: 'NZD', value: 1500.5 },
        },
        { projectId: P0, contactId: 'c-2', name: 'Pro bono', currencyCode: 'NZD', status: 'CLOSED' },
      ],
      ProjectTasks: [
        {
          taskId: '7be77337-feec-4458-bb1b-dbaa5a4aafce',
          projectId: P1,
          name: 'Drafting',
          rate: { currency: 'NZD', value: 312.5 },
          chargeType: 'TIME',
          status: 'ACTIVE',
        },
        {
          taskId: P0,
          projectId: P0,
          name: 'Research',
          rate: { currency: 'NZD', value: 0 },
          chargeType: 'NON_CHARGEABLE',
          status: 'ACTIVE',
        },
      ],
      ProjectTime: entries,
      Contacts: [],
    });
    const out = await syncXeroConnection(h.deps, h.connectionId, { kinds: ['matters', 'time_entries'] });
    expect(out.status === 'done' && out.report.status).toBe('succeeded');
    const ms = await h.database.db.select().from(matters).orderBy(matters.name);
    expect(ms.map((m) => [m.name, m.status, m.contactExternalId, m.estimateMinor])).toEqual([
      ['Estate of Smith', 'open', 'c-1', 150050],
      ['Pro bono', 'closed', 'c-2', null],
    ]);
    const te = await h.database.db.select().from(timeEntries).orderBy(timeEntries.date);
    expect(
      te.map((t) => ({
        id: t.externalId,
        date: t.date,
        minutes: t.durationMinutes,
        matter: t.matterExternalId,
        contact: t.contactExternalId,
        task: t.taskName,
        rate: t.hourlyRate,
        currency: t.rateCurrency,
        billable: t.billableStatus,
        status: t.status,
      })),
    ).toEqual([
      // 2020-02-26T15:00Z is the 27th in Auckland (+13:00)
      {
        id: P0,
        date: '2020-02-27',
        minutes: 30,
        matter: P0,
        contact: 'c-2',
        task: 'Research',
        rate: null,
        currency: null,
        billable: 'not_billable',
        status: 'active',
      },
      {
        id: '3cd35eca-704f-4bca-b258-236028ae8ed1',
        date: '2020-02-28',
        minutes: 45,
        matter: P1,
        contact: 'c-1',
        task: 'Drafting',
        rate: '312.5',
        currency: 'NZD',
        billable: 'billable',
        status: 'active',
      },
    ]);
  });
});
