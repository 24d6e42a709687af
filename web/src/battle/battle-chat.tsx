// A battle's chat channel: joined while the battle screen is open, left after.
import { useEffect, useState } from 'preact/hooks';
import type { ArenaClient, ChatMessageEvent } from '@client/index.js';
import { notify } from '../lib/toasts';
import { message } from './battle-types';

export function BattleChat({ client, battleId }: { client: ArenaClient; battleId: string }) {
  const [channel, setChannel] = useState<string | null>(null);
  const [messages, setMessages] = useState<ChatMessageEvent[]>([]);
  useEffect(() => {
    let current = true;
    let joined: string | null = null;
    const off = client.on('chat:message', (m) => {
      if (m.channel === `battle:${battleId}`) setMessages((list) => [...list, m].slice(-100));
    });
    client.joinChannel('battle', battleId).then(
      (response) => {
        joined = response.channel;
        if (current) setChannel(response.channel);
        else void client.leaveChannel(response.channel).catch(() => {});
      },
      (err) => notify(`Battle chat: ${message(err)}`, 'error'),
    );
    return () => {
      current = false;
      off();
      if (joined) void client.leaveChannel(joined).catch(() => {});
    };
  }, [client, battleId]);
  return (
    <>
      <h2>Battle chat</h2>
      <ul class="battle-chat" data-testid="battle-chat">
        {messages.map((m) => (
          <li key={m.messageId}>
            <strong>{m.username}</strong>: {m.message}
          </li>
        ))}
      </ul>
      <form
        class="row"
        onSubmit={(event) => {
          event.preventDefault();
          const form = event.currentTarget as HTMLFormElement;
          const text = String(new FormData(form).get('chat') ?? '').trim();
          if (!text || !channel) return;
          client.sendChat(channel, text).catch((err) => notify(message(err), 'error'));
          form.reset();
        }}
      >
        <label class="inline">
          Say
          <input name="chat" maxLength={500} disabled={!channel} />
        </label>
        <button type="submit" class="secondary" disabled={!channel}>
          Send
        </button>
      </form>
    </>
  );
}
