// Fan-out and presence for the protocol modules: the interface and its implementations.
export type {
  Broker,
  BrokerNode,
  LocalConnection,
  Member,
  Message,
  MessageSink,
  PublishOptions,
  RoomPresence,
} from './broker.js';
export { isSink } from './broker.js';
export { MemoryBroker } from './memory-broker.js';
export { RoomLimitError } from '../websocket/index.js';
