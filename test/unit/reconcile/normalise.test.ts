import { describe, expect, it } from 'vitest';
import {
  accountKey,
  isSearchableKey,
  keysInText,
  nameKey,
  referenceKey,
  textHasName,
} from '../../../src/reconcile/normalise.js';

describe('referenceKey', () => {
  it('drops case, punctuation, spaces and leading zeros', () => {
    expect(referenceKey('INV-0042')).toBe('INV42');
    expect(referenceKey('inv 0042')).toBe('INV42');
    expect(referenceKey('Inv.42')).toBe('INV42');
    expect(referenceKey('Invoice #0042')).toBe('INV42');
    expect(referenceKey('MAT/2231-007')).toBe('MAT22317');
    expect(referenceKey('0000')).toBe('0');
    expect(referenceKey(' - ')).toBeNull();
    expect(referenceKey(null)).toBeNull();
  });

  it('only keys with a digit are worth searching for', () => {
    expect(isSearchableKey('INV42')).toBe(true);
    expect(isSearchableKey('PAID')).toBe(false);
    expect(isSearchableKey('7')).toBe(false);
  });
});

describe('keysInText', () => {
  it('finds "inv 0042" as INV-0042 across a token boundary', () => {
    expect(keysInText('pmt inv 0042 thank you').get('INV42')).toBe('inv 0042');
    expect(keysInText('PAYMENT INV0042').has('INV42')).toBe(true);
    expect(keysInText('Invoice 42, 43').has('INV42')).toBe(true);
  });

  it('never finds a key inside a longer number', () => {
    const keys = keysInText('INV-00421 and 10042');
    expect(keys.has('INV42')).toBe(false);
    expect(keys.has('42')).toBe(false);
    expect(keys.has('INV421')).toBe(true);
  });
});

describe('nameKey', () => {
  it('matches names across legal forms, case, accents and "&"', () => {
    expect(nameKey('Acme Ltd.')).toBe('ACME');
    expect(nameKey('ACME LIMITED')).toBe('ACME');
    expect(nameKey('Birch & Co')).toBe('BIRCH');
    expect(nameKey('Birch and Company')).toBe('BIRCH');
    expect(nameKey('Café Zoë LLC')).toBe('CAFE ZOE');
    expect(nameKey('The Ltd')).toBeNull();
  });

  it('finds a name as whole words in a remittance', () => {
    expect(textHasName('Payment from ACME LTD for services', 'ACME')).toBe(true);
    expect(textHasName('ACMEX payment', 'ACME')).toBe(false);
  });

  it('keys account numbers on letters and digits', () => {
    expect(accountKey('12-3456-0001')).toBe('1234560001');
    expect(accountKey('12')).toBeNull();
  });
});
