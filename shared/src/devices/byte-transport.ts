/**
 * What every device driver and simulator talks through: bytes out, bytes in. A serial port
 * (serial-port-transport.node.ts), a socat pty in tests, or an in-memory pipe. Opening, reopening
 * after an unplug and health belong to the port manager, never to a driver.
 */
export interface ByteTransport {
  write(bytes: Uint8Array): Promise<void>;
  /** Registers the receive callback; returns a function that removes it. */
  onData(cb: (bytes: Uint8Array) => void): () => void;
}
