// Compile-time checks that tie the server's zod schemas to the wire types in this
// folder. Types only: nothing here exists at run time.

/** true when A and B are the same type (not merely assignable either way). */
export type Equals<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** Fails to compile unless T is true; `Assert<Equals<A, B>>` pins a schema to its type. */
export type Assert<T extends true> = T;
