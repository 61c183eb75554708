/**
 * Startup talks to the operator in plain lines on stdout, as calico/node does
 * (`Waiting for etcd connection...`, `WARNING: …`). Steps receive this sink instead of
 * writing to the terminal themselves, so tests can collect what an operator would read.
 */
export type Say = (line: string) => void
