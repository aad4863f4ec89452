import { z } from 'zod';

/**
 * The QBO payload fields we read, parsed at the boundary. Amounts arrive as JSON numbers (`100.00` is sent
 * as the literal 100.00): they are read through their shortest text form, never multiplied as floats.
 * Unknown fields pass through (kept in `raw`).
 */
const Ref = z.object({ value: z.string(), name: z.string().optional() }).loose();
const Amount = z.union([z.number(), z.string()]);
const Meta = z.object({ CreateTime: z.string().optional(), LastUpdatedTime: z.string().optional() }).loose();
const LinkedTxn = z
  .object({ TxnId: z.string(), TxnType: z.string(), TxnLineId: z.string().optional() })
  .loose();

export const QCustomer = z
  .object({
    Id: z.string(),
    DisplayName: z.string().optional(),
    FullyQualifiedName: z.string().optional(),
    CompanyName: z.string().optional(),
    Active: z.boolean().optional(),
    Job: z.boolean().optional(),
    ParentRef: Ref.optional(),
    PrimaryEmailAddr: z.object({ Address: z.string().optional() }).loose().optional(),
    ResaleNum: z.string().optional(),
    CurrencyRef: Ref.optional(),
    MetaData: Meta.optional(),
  })
  .loose();
export type QCustomer = z.infer<typeof QCustomer>;

export const QAccount = z
  .object({
    Id: z.string(),
    Name: z.string(),
    AcctNum: z.string().optional(),
    BankNum: z.string().optional(),
    AccountType: z.string(),
    AccountSubType: z.string().optional(),
    Classification: z.string().optional(),
    Active: z.boolean().optional(),
    CurrencyRef: Ref.optional(),
  })
  .loose();
export type QAccount = z.infer<typeof QAccount>;

export const QItem = z
  .object({
    Id: z.string(),
    Name: z.string(),
    Sku: z.string().optional(),
    Type: z.string(),
    Active: z.boolean().optional(),
    Description: z.string().optional(),
    UnitPrice: Amount.optional(),
    IncomeAccountRef: Ref.optional(),
  })
  .loose();
export type QItem = z.infer<typeof QItem>;

export const QSalesLine = z
  .object({
    Id: z.string().optional(),
    LineNum: z.number().optional(),
    Description: z.string().optional(),
    Amount: Amount,
    DetailType: z.string(),
    SalesItemLineDetail: z
      .object({
        ItemRef: Ref.optional(),
        Qty: Amount.optional(),
        UnitPrice: Amount.optional(),
        TaxCodeRef: Ref.optional(),
        ItemAccountRef: Ref.optional(),
      })
      .loose()
      .optional(),
  })
  .loose();

const TaxDetail = z.object({ TotalTax: Amount.optional() }).loose();

export const QInvoice = z
  .object({
    Id: z.string(),
    SyncToken: z.string().optional(),
    DocNumber: z.string().optional(),
    TxnDate: z.string(),
    DueDate: z.string().optional(),
    CustomerRef: Ref,
    CurrencyRef: Ref.optional(),
    ExchangeRate: Amount.optional(),
    TotalAmt: Amount,
    Balance: Amount.optional(),
    HomeTotalAmt: Amount.optional(),
    GlobalTaxCalculation: z.string().optional(),
    TxnTaxDetail: TaxDetail.optional(),
    PrivateNote: z.string().optional(),
    CustomerMemo: z.object({ value: z.string() }).loose().optional(),
    Line: z.array(QSalesLine).default([]),
    LinkedTxn: z.array(LinkedTxn).default([]),
    MetaData: Meta.optional(),
  })
  .loose();
export type QInvoice = z.infer<typeof QInvoice>;

export const QCreditMemo = QInvoice.extend({ RemainingCredit: Amount.optional() });
export type QCreditMemo = z.infer<typeof QCreditMemo>;

export const QPayment = z
  .object({
    Id: z.string(),
    SyncToken: z.string().optional(),
    TxnDate: z.string(),
    CustomerRef: Ref.optional(),
    CurrencyRef: Ref.optional(),
    ExchangeRate: Amount.optional(),
    TotalAmt: Amount,
    UnappliedAmt: Amount.optional(),
    DepositToAccountRef: Ref.optional(),
    PaymentRefNum: z.string().optional(),
    PrivateNote: z.string().optional(),
    Line: z
      .array(z.object({ Amount: Amount, LinkedTxn: z.array(LinkedTxn).default([]) }).loose())
      .default([]),
    MetaData: Meta.optional(),
  })
  .loose();
export type QPayment = z.infer<typeof QPayment>;

export const QDeposit = z
  .object({
    Id: z.string(),
    TxnDate: z.string(),
    DepositToAccountRef: Ref,
    CurrencyRef: Ref.optional(),
    TotalAmt: Amount,
    PrivateNote: z.string().optional(),
    Line: z
      .array(
        z
          .object({
            Amount: Amount,
            LinkedTxn: z.array(LinkedTxn).default([]),
            DepositLineDetail: z
              .object({ AccountRef: Ref.optional(), Entity: Ref.optional() })
              .loose()
              .optional(),
          })
          .loose(),
      )
      .default([]),
  })
  .loose();
export type QDeposit = z.infer<typeof QDeposit>;

export const QPurchase = z
  .object({
    Id: z.string(),
    TxnDate: z.string(),
    PaymentType: z.string().optional(),
    AccountRef: Ref,
    CurrencyRef: Ref.optional(),
    TotalAmt: Amount,
    Credit: z.boolean().optional(),
    DocNumber: z.string().optional(),
    EntityRef: Ref.optional(),
    PrivateNote: z.string().optional(),
    Line: z
      .array(
        z
          .object({
            Amount: Amount,
            AccountBasedExpenseLineDetail: z.object({ AccountRef: Ref.optional() }).loose().optional(),
          })
          .loose(),
      )
      .default([]),
  })
  .loose();
export type QPurchase = z.infer<typeof QPurchase>;

export const QTransfer = z
  .object({
    Id: z.string(),
    TxnDate: z.string(),
    FromAccountRef: Ref,
    ToAccountRef: Ref,
    Amount: Amount,
    CurrencyRef: Ref.optional(),
    PrivateNote: z.string().optional(),
  })
  .loose();
export type QTransfer = z.infer<typeof QTransfer>;

export const QTimeActivity = z
  .object({
    Id: z.string(),
    TxnDate: z.string(),
    NameOf: z.string().optional(),
    EmployeeRef: Ref.optional(),
    VendorRef: Ref.optional(),
    CustomerRef: Ref.optional(),
    ItemRef: Ref.optional(),
    Hours: z.number().int().optional(),
    Minutes: z.number().int().optional(),
    StartTime: z.string().optional(),
    EndTime: z.string().optional(),
    BreakHours: z.number().int().optional(),
    BreakMinutes: z.number().int().optional(),
    HourlyRate: Amount.optional(),
    BillableStatus: z.string().optional(),
    Description: z.string().optional(),
    MetaData: Meta.optional(),
  })
  .loose();
export type QTimeActivity = z.infer<typeof QTimeActivity>;

export const QJournalEntry = z
  .object({
    Id: z.string(),
    DocNumber: z.string().optional(),
    TxnDate: z.string(),
    CurrencyRef: Ref.optional(),
    ExchangeRate: Amount.optional(),
    Line: z
      .array(
        z
          .object({
            Id: z.string().optional(),
            Description: z.string().optional(),
            Amount: Amount,
            DetailType: z.string(),
            JournalEntryLineDetail: z
              .object({
                PostingType: z.enum(['Debit', 'Credit']),
                AccountRef: Ref,
                Entity: z.unknown().optional(),
              })
              .loose()
              .optional(),
          })
          .loose(),
      )
      .default([]),
  })
  .loose();
export type QJournalEntry = z.infer<typeof QJournalEntry>;
