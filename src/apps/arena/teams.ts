// Teams: created and filled over REST; their members get team:member_joined,
// team:practice_started and team:code_shared on every open connection.
import { randomUUID } from 'node:crypto';
import type { AuthenticatedUser, UserDirectory } from '../types.js';
import { ArenaError } from './errors.js';
import type { Outbox } from './outbox.js';
import type { ArenaLanguage, ArenaServerEvents } from './protocol.js';
import type { TeamMemberRecord, TeamStore } from './store/teams.js';

export class TeamService {
  constructor(
    private readonly store: TeamStore,
    private readonly users: UserDirectory,
    private readonly outbox: Outbox,
  ) {}

  async create(user: AuthenticatedUser, name: string) {
    const team = { id: randomUUID(), name, ownerId: user.id, created: new Date().toISOString() };
    await this.store.create(team);
    return this.describe(user, team.id);
  }

  async list(user: AuthenticatedUser) {
    const teams = await this.store.teamsOf(user.id);
    return teams.map((t) => ({
      teamId: t.id,
      name: t.name,
      ownerId: t.ownerId,
      createdAt: t.created,
      role: t.role,
    }));
  }

  /** The team and its members; members only. */
  async describe(user: AuthenticatedUser, teamId: string) {
    const team = await this.memberTeam(user, teamId);
    const members = await this.store.members(teamId);
    return {
      teamId: team.id,
      name: team.name,
      ownerId: team.ownerId,
      createdAt: team.created,
      members: members.map(memberView),
    };
  }

  /** The owner or an admin adds a user by name; every member hears of it. */
  async addMember(
    actor: AuthenticatedUser,
    teamId: string,
    username: string,
    role: 'member' | 'admin',
  ) {
    await this.memberTeam(actor, teamId);
    const actorRole = await this.store.roleIn(teamId, actor.id);
    if (actorRole !== 'owner' && actorRole !== 'admin')
      throw new ArenaError('FORBIDDEN', 'Only the owner or an admin can add members', { teamId });
    if (role === 'admin' && actorRole !== 'owner')
      throw new ArenaError('FORBIDDEN', 'Only the owner can add admins', { teamId });
    const user = await this.users.findByUsername(username);
    if (!user) throw new ArenaError('NOT_FOUND', 'No such user', { username });
    const joined = new Date().toISOString();
    if (!(await this.store.addMember(teamId, user.id, role, joined)))
      throw new ArenaError('CONFLICT', `${user.username} is already a member`, {
        teamId,
        userId: user.id,
      });
    const member = { userId: user.id, username: user.username, role };
    await this.toMembers(teamId, 'team:member_joined', { teamId, member });
    return member;
  }

  async startPractice(
    user: AuthenticatedUser,
    request: { teamId: string; topic: string; participants?: string[] },
  ) {
    await this.memberTeam(user, request.teamId);
    const members = await this.store.members(request.teamId);
    const memberIds = new Set(members.map((m) => m.userId));
    let participants: string[];
    if (request.participants !== undefined) {
      const strangers = request.participants.filter((id) => !memberIds.has(id));
      if (strangers.length > 0)
        throw new ArenaError('VALIDATION_ERROR', 'Every participant must be a team member', {
          notMembers: strangers,
        });
      participants = [...new Set([user.id, ...request.participants])];
    } else {
      // By default: whoever of the team is connected now (the starter included).
      const others = members.map((m) => m.userId).filter((id) => id !== user.id);
      const online = await Promise.all(others.map((id) => this.outbox.isOnline(id)));
      participants = [user.id, ...others.filter((_, i) => online[i])];
    }
    const session = {
      id: randomUUID(),
      teamId: request.teamId,
      topic: request.topic,
      startedBy: user.id,
      participants,
      created: new Date().toISOString(),
    };
    await this.store.insertSession(session);
    const data = {
      teamId: session.teamId,
      sessionId: session.id,
      topic: session.topic,
      participants,
    };
    this.outbox.toUsers(memberIds, 'team:practice_started', data);
    return data;
  }

  async shareCode(
    user: AuthenticatedUser,
    request: {
      teamId: string;
      problemId: string;
      code: string;
      language: ArenaLanguage;
      note?: string;
    },
  ) {
    await this.memberTeam(user, request.teamId);
    const share = {
      id: randomUUID(),
      team_id: request.teamId,
      user_id: user.id,
      problem_id: request.problemId,
      language: request.language,
      code: request.code,
      note: request.note ?? null,
      created: new Date().toISOString(),
    };
    await this.store.insertShare(share);
    // The spec's fields, plus the code itself (and an id and time) so teammates can read it.
    const data = {
      teamId: share.team_id,
      sharedBy: user.username,
      problemId: share.problem_id,
      language: share.language,
      note: share.note,
      shareId: share.id,
      userId: user.id,
      code: share.code,
      sharedAt: share.created,
    };
    await this.toMembers(request.teamId, 'team:code_shared', data);
    return data;
  }

  async shares(user: AuthenticatedUser, teamId: string, limit: number) {
    await this.memberTeam(user, teamId);
    return this.store.shares(teamId, limit);
  }

  private async memberTeam(user: AuthenticatedUser, teamId: string) {
    const team = await this.store.get(teamId);
    if (!team) throw new ArenaError('NOT_FOUND', 'No such team', { teamId });
    if ((await this.store.roleIn(teamId, user.id)) === null)
      throw new ArenaError('FORBIDDEN', 'You are not a member of this team', { teamId });
    return team;
  }

  private async toMembers<K extends keyof ArenaServerEvents>(
    teamId: string,
    event: K,
    data: ArenaServerEvents[K],
  ): Promise<void> {
    const members = await this.store.members(teamId);
    this.outbox.toUsers(
      members.map((m) => m.userId),
      event,
      data,
    );
  }
}

function memberView(member: TeamMemberRecord) {
  return {
    userId: member.userId,
    username: member.username,
    role: member.role,
    joinedAt: member.joined,
  };
}
