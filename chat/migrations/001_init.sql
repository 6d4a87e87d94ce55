-- 001: users and messages.
-- Applied once, in a transaction, by chat/server/migrate.ts; recorded in schema_migrations.

create table users (
  id bigint generated always as identity primary key,
  username text not null unique,
  password_hash text not null,
  inserted_at timestamptz not null default now()
);

-- 'Alice' and 'alice' are the same person: one may not impersonate the other.
create unique index users_username_lower_index on users (lower(username));

create table messages (
  id bigint generated always as identity primary key,
  room text not null,
  username text not null,
  body text not null,
  inserted_at timestamptz not null default now()
);

-- History paging walks one room backwards by id: "the 50 before id X" is an index range scan.
create index messages_room_id_index on messages (room, id desc);
