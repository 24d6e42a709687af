// Answers that must leave in the order their requests came, whatever order they are
// ready in: runCode has no request id on the wire, so a client sending several at once
// matches each `output` to its request by position. reserve() takes the next place in
// line; the answer given to it goes out once every earlier one has.
export class OrderedReplies {
  private slots: { text: string | null }[] = [];

  constructor(private readonly send: (text: string) => void) {}

  /** Answers reserved and not yet sent. */
  get pending(): number {
    return this.slots.length;
  }

  reserve(): (text: string) => void {
    const slot: { text: string | null } = { text: null };
    this.slots.push(slot);
    return (text) => {
      if (slot.text !== null) return;
      slot.text = text;
      this.flush();
    };
  }

  /** Forgets every waiting answer (the connection closed). */
  clear(): void {
    this.slots = [];
  }

  private flush(): void {
    while (this.slots.length > 0 && this.slots[0]!.text !== null) {
      this.send(this.slots.shift()!.text!);
    }
  }
}
