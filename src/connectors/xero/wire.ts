import { z } from 'zod';

/**
 * The raw Xero Accounting API payloads (the JSON body, not xero-node's deserialised models). Lenient
 * where Xero's own examples are: numbers may arrive as decimal text ("50.00"), booleans as "false",
 * nested arrays may be missing. Unknown fields pass through (they are kept as the record's raw JSON).
 */

const DECIMAL_TEXT = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$/;

/** A decimal amount: a JSON number or decimal text. "abc" fails here, naming the field. */
export const XNum = z.union([
  z.number().refine(Number.isFinite, 'not a finite number'),
  z.string().regex(DECIMAL_TEXT, 'not a number'),
]);
export type XNum = z.infer<typeof XNum>;

export const XBool = z
  .union([z.boolean(), z.enum(['true', 'false', 'True', 'False'])])
  .transform((v) => v === true || v === 'true' || v === 'True');

/** `/Date(1539993600000+0000)/` (MS JSON date, optional offset) or ISO text `2018-10-20T00:00:00`. */
export const MS_DATE = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/;
const ISO_LIKE = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;
export const XDate = z
  .string()
  .refine((s) => MS_DATE.test(s) || ISO_LIKE.test(s), 'not a Xero date (/Date(ms+hhmm)/ or ISO)');

const Id = z.string().min(1);
const optStr = z.string().nullish();

const ContactRef = z.looseObject({ ContactID: Id.optional(), Name: optStr });
const AccountRef = z.looseObject({ AccountID: optStr, Code: optStr, Name: optStr });

export const XLineItem = z.looseObject({
  LineItemID: optStr,
  Description: optStr,
  Quantity: XNum.nullish(),
  UnitAmount: XNum.nullish(),
  LineAmount: XNum.nullish(),
  TaxAmount: XNum.nullish(),
  AccountCode: optStr,
  TaxType: optStr,
  ItemCode: optStr,
});

export const XAllocation = z.looseObject({
  AllocationID: optStr,
  Amount: XNum,
  Date: XDate,
  Invoice: z.looseObject({ InvoiceID: Id }),
  IsDeleted: XBool.optional(),
});
export type XAllocation = z.infer<typeof XAllocation>;

const docCommon = {
  Contact: ContactRef.nullish(),
  DateString: optStr,
  Date: XDate,
  Status: z.string().min(1),
  LineAmountTypes: optStr,
  SubTotal: XNum,
  TotalTax: XNum,
  Total: XNum,
  CurrencyCode: z.string().min(1),
  CurrencyRate: XNum.nullish(),
  UpdatedDateUTC: XDate.nullish(),
  Reference: optStr,
};

export const XInvoice = z.looseObject({
  InvoiceID: Id,
  Type: z.string().min(1),
  InvoiceNumber: optStr,
  DueDateString: optStr,
  DueDate: XDate.nullish(),
  AmountDue: XNum.nullish(),
  LineItems: z.array(XLineItem).nullish(),
  ...docCommon,
});
export type XInvoice = z.infer<typeof XInvoice>;

export const XCreditNote = z.looseObject({
  CreditNoteID: Id,
  Type: z.string().min(1),
  CreditNoteNumber: optStr,
  RemainingCredit: XNum.nullish(),
  Allocations: z.array(XAllocation).nullish(),
  ...docCommon,
});
export type XCreditNote = z.infer<typeof XCreditNote>;

const prepaymentCommon = {
  Type: z.string().min(1),
  RemainingCredit: XNum.nullish(),
  Allocations: z.array(XAllocation).nullish(),
  ...docCommon,
  SubTotal: XNum.nullish(),
  TotalTax: XNum.nullish(),
};

export const XOverpayment = z.looseObject({ OverpaymentID: Id, ...prepaymentCommon });
export type XOverpayment = z.infer<typeof XOverpayment>;
export const XPrepayment = z.looseObject({ PrepaymentID: Id, ...prepaymentCommon });
export type XPrepayment = z.infer<typeof XPrepayment>;

export const XPayment = z.looseObject({
  PaymentID: Id,
  Date: XDate,
  Amount: XNum,
  BankAmount: XNum.nullish(),
  CurrencyRate: XNum.nullish(),
  Reference: optStr,
  PaymentType: z.string().min(1),
  Status: z.string().min(1),
  IsReconciled: XBool.optional(),
  UpdatedDateUTC: XDate.nullish(),
  Account: AccountRef.nullish(),
  Invoice: z
    .looseObject({
      InvoiceID: optStr,
      Type: optStr,
      Contact: ContactRef.nullish(),
      CurrencyCode: optStr,
    })
    .nullish(),
  CreditNote: z.looseObject({ CreditNoteID: optStr, CurrencyCode: optStr }).nullish(),
  Overpayment: z.looseObject({ OverpaymentID: optStr, CurrencyCode: optStr }).nullish(),
  Prepayment: z.looseObject({ PrepaymentID: optStr, CurrencyCode: optStr }).nullish(),
});
export type XPayment = z.infer<typeof XPayment>;

export const XBankTransaction = z.looseObject({
  BankTransactionID: Id,
  Type: z.string().min(1),
  BankAccount: AccountRef.nullish(),
  Contact: ContactRef.nullish(),
  DateString: optStr,
  Date: XDate,
  Status: z.string().min(1),
  Total: XNum,
  CurrencyCode: z.string().min(1),
  Reference: optStr,
  IsReconciled: XBool.optional(),
  OverpaymentID: optStr,
  PrepaymentID: optStr,
  LineItems: z.array(XLineItem).nullish(),
  UpdatedDateUTC: XDate.nullish(),
});
export type XBankTransaction = z.infer<typeof XBankTransaction>;

export const XContact = z.looseObject({
  ContactID: Id,
  Name: z.string().min(1),
  ContactStatus: optStr,
  EmailAddress: optStr,
  AccountNumber: optStr,
  TaxNumber: optStr,
  IsCustomer: XBool.optional(),
  UpdatedDateUTC: XDate.nullish(),
});
export type XContact = z.infer<typeof XContact>;

export const XAccount = z.looseObject({
  AccountID: Id,
  Code: optStr,
  Name: z.string().min(1),
  Type: z.string().min(1),
  Class: optStr,
  Status: optStr,
  BankAccountNumber: optStr,
  CurrencyCode: optStr,
  SystemAccount: optStr,
  UpdatedDateUTC: XDate.nullish(),
});
export type XAccount = z.infer<typeof XAccount>;

export const XOrganisation = z.looseObject({
  OrganisationID: optStr,
  Name: optStr,
  BaseCurrency: optStr,
  Timezone: optStr,
  PeriodLockDate: XDate.nullish(),
  EndOfYearLockDate: XDate.nullish(),
});
export type XOrganisation = z.infer<typeof XOrganisation>;

/** The list envelope: `{ Id, Status, DateTimeUTC, pagination?, <Entity>: [...] }`. */
export const XPagination = z.looseObject({
  page: z.number().int(),
  pageSize: z.number().int(),
  pageCount: z.number().int(),
  itemCount: z.number().int(),
});
