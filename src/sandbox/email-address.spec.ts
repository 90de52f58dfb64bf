import { addressOf, isRejectedRecipient } from './email-address';

describe(addressOf.name, () => {
  it.each([
    ['ada@example.com', 'ada@example.com'],
    ['Ada Lovelace <ada@example.com>', 'ada@example.com'],
    ['"Lovelace, Ada" <ada@example.com>', 'ada@example.com'],
    ['ada', undefined],
    ['ada@', undefined],
    ['ada@example', undefined],
    ['ada @example.com', undefined],
    ['<script>@example.com', undefined],
  ])('reads %j as %j', (mailbox, address) => {
    expect(addressOf(mailbox)).toBe(address);
  });
});

describe(isRejectedRecipient.name, () => {
  it('rejects any address at rejected.herald.test, and only those', () => {
    expect(isRejectedRecipient('Bounce@Rejected.Herald.Test')).toBe(true);
    expect(isRejectedRecipient('ada@notrejected.herald.test.example.com')).toBe(false);
  });
});
