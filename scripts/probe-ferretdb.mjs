#!/usr/bin/env node
// Capability probe: which MongoDB features the server at MONGODB_URI supports, and how it reports
// errors. Written for FerretDB v1.24.2 (scripts/ferretdb.sh), whose behaviour differs from mongod;
// the MongoDB adapter is designed on what this prints. Uses a scratch database, dropped at the end.
//   sh scripts/ferretdb.sh start && MONGODB_URI=mongodb://127.0.0.1:27018/ node scripts/probe-ferretdb.mjs
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Double, Int32, Long, MongoClient } from 'mongodb';

const uri = process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27018/';
const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
await client.connect();
const db = client.db(`probe_${Date.now()}`);

const show = (v) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x));
const describeError = (e) => {
  const out = { class: e.constructor.name, code: e.code, codeName: e.codeName, message: e.message };
  if (e.keyPattern) out.keyPattern = e.keyPattern;
  if (e.keyValue) out.keyValue = e.keyValue;
  if (e.errorResponse) out.responseFields = Object.keys(e.errorResponse);
  if (e.writeErrors) out.writeErrors = [].concat(e.writeErrors).map((w) => ({ index: w.index, code: w.code, errmsg: w.errmsg }));
  if (e.result) out.result = { insertedCount: e.result.insertedCount, insertedIds: e.result.insertedIds };
  return out;
};
async function check(name, fn) {
  try {
    console.log(`OK   ${name}: ${show(await fn())}`);
  } catch (e) {
    console.log(`ERR  ${name}: ${show(describeError(e))}`);
  }
}
const ids = async (coll, filter = {}) => (await coll.find(filter).sort({ _id: 1 }).toArray()).map((d) => d._id);

console.log(`server: ${uri}`);
await check('buildInfo', async () => {
  const b = await db.admin().command({ buildInfo: 1 });
  return { version: b.version, ferretdb: b.ferretdbVersion ?? b.ferretdb };
});
await check('hello', async () => {
  const h = await db.admin().command({ hello: 1 });
  delete h.ok;
  return h;
});

console.log('\n# duplicate keys');
const dup = db.collection('dup');
await check('insertOne duplicate _id', async () => {
  await dup.insertOne({ _id: 'a', email: 'a@x' });
  return dup.insertOne({ _id: 'a', email: 'other@x' });
});
await check('createIndex unique email', () => dup.createIndex({ email: 1 }, { unique: true, name: 'email_unique' }));
await check('insertOne violating unique email', () => dup.insertOne({ _id: 'b', email: 'a@x' }));
await check('updateOne making email collide', async () => {
  await dup.insertOne({ _id: 'c', email: 'c@x' });
  return dup.updateOne({ _id: 'c' }, { $set: { email: 'a@x' } });
});
await check('upsert colliding on unique email', () => dup.updateOne({ _id: 'd' }, { $set: { email: 'a@x' } }, { upsert: true }));
await check('unique index: two docs missing the field', async () => {
  await dup.insertOne({ _id: 'nofield1' });
  await dup.insertOne({ _id: 'nofield2' });
  return ids(dup, { email: { $exists: false } });
});
await check('unique index: two docs with explicit null', async () => {
  await dup.insertOne({ _id: 'null1', email: null });
  await dup.insertOne({ _id: 'null2', email: null });
  return ids(dup, { email: null });
});
await check('compound unique {a,b}: same a, b missing twice', async () => {
  const c = db.collection('cu');
  await c.createIndex({ a: 1, b: 1 }, { unique: true });
  await c.insertOne({ _id: 1, a: 1 });
  await c.insertOne({ _id: 2, a: 1 });
  return ids(c);
});
await check('_id and unique email both violated: which is reported?', () => dup.insertOne({ _id: 'a', email: 'a@x' }));
await check('insertMany ordered, duplicate in the middle', async () => {
  const c = db.collection('many_ordered');
  try {
    await c.insertMany([{ _id: 1 }, { _id: 2 }, { _id: 2 }, { _id: 3 }]);
    return 'no error';
  } catch (e) {
    return { error: describeError(e), stored: await ids(c) };
  }
});
await check('insertMany unordered, duplicate in the middle', async () => {
  const c = db.collection('many_unordered');
  try {
    await c.insertMany([{ _id: 1 }, { _id: 2 }, { _id: 2 }, { _id: 3 }], { ordered: false });
    return 'no error';
  } catch (e) {
    return { error: describeError(e), stored: await ids(c) };
  }
});
await check('createIndex unique over existing duplicates', async () => {
  const c = db.collection('predup');
  await c.insertMany([{ v: 1 }, { v: 1 }]);
  return c.createIndex({ v: 1 }, { unique: true });
});

console.log('\n# concurrency (separate connections, no transactions)');
const clients = await Promise.all([1, 2, 3, 4].map(() => new MongoClient(uri, { maxPoolSize: 10 }).connect()));
const coll = (name, i) => clients[i % clients.length].db(db.databaseName).collection(name);
const settle = async (n, op) => {
  const rs = await Promise.allSettled(Array.from({ length: n }, (_, i) => op(i)));
  const errs = rs.filter((r) => r.status === 'rejected').map((r) => r.reason.code ?? r.reason.constructor.name);
  return { fulfilled: rs.length - errs.length, rejectedCodes: [...new Set(errs)], rejected: errs.length };
};
await check('20 concurrent insertOne, same _id', async () => ({
  ...(await settle(20, (i) => coll('race_id', i).insertOne({ _id: 'same', by: i }))),
  stored: await db.collection('race_id').countDocuments(),
}));
await check('20 concurrent insertOne, same unique secondary key', async () => {
  await db.collection('race_uniq').createIndex({ k: 1 }, { unique: true });
  return {
    ...(await settle(20, (i) => coll('race_uniq', i).insertOne({ k: 'same', by: i }))),
    stored: await db.collection('race_uniq').countDocuments(),
  };
});
await check('20 concurrent $inc on one doc', async () => {
  await db.collection('race_inc').insertOne({ _id: 'n', n: 0 });
  await settle(20, (i) => coll('race_inc', i).updateOne({ _id: 'n' }, { $inc: { n: 1 } }));
  return db.collection('race_inc').findOne({ _id: 'n' });
});
await check('20 concurrent compare-and-set {_id, v:1} -> v:2', async () => {
  await db.collection('race_cas').insertOne({ _id: 'x', v: 1 });
  const rs = await Promise.all(Array.from({ length: 20 }, (_, i) =>
    coll('race_cas', i).updateOne({ _id: 'x', v: 1 }, { $set: { v: 2, by: i } })));
  return { modifiedTotal: rs.reduce((s, r) => s + r.modifiedCount, 0), doc: await db.collection('race_cas').findOne() };
});
await check('20 concurrent findOneAndUpdate CAS {_id, v:1} -> v:2', async () => {
  await db.collection('race_cas2').insertOne({ _id: 'x', v: 1 });
  const rs = await Promise.all(Array.from({ length: 20 }, (_, i) =>
    coll('race_cas2', i).findOneAndUpdate({ _id: 'x', v: 1 }, { $set: { v: 2, by: i } }, { returnDocument: 'after' })));
  return { winners: rs.filter(Boolean).length, doc: await db.collection('race_cas2').findOne() };
});
await check('20 concurrent upserts same filter, no unique index', async () => ({
  ...(await settle(20, (i) => coll('race_upsert', i).updateOne({ k: 'same' }, { $inc: { n: 1 } }, { upsert: true }))),
  docs: await db.collection('race_upsert').find().project({ _id: 0 }).toArray(),
}));
await check('20 concurrent upserts same filter, unique index on k', async () => {
  await db.collection('race_upsert_u').createIndex({ k: 1 }, { unique: true });
  return {
    ...(await settle(20, (i) => coll('race_upsert_u', i).updateOne({ k: 'same' }, { $inc: { n: 1 } }, { upsert: true }))),
    docs: await db.collection('race_upsert_u').find().project({ _id: 0 }).toArray(),
  };
});
await check('20 concurrent deleteOne same doc', async () => {
  await db.collection('race_del').insertOne({ _id: 'd' });
  const rs = await Promise.all(Array.from({ length: 20 }, (_, i) => coll('race_del', i).deleteOne({ _id: 'd' })));
  return { deletedTotal: rs.reduce((s, r) => s + r.deletedCount, 0) };
});
// The races above are timing-dependent: repeat the interesting ones and report the spread.
const tally = async (rounds, fn) => {
  const seen = {};
  for (let r = 0; r < rounds; r++) {
    const key = show(await fn(r));
    seen[key] = (seen[key] ?? 0) + 1;
  }
  return seen;
};
await check('10 rounds x 10 concurrent insertOne same _id -> {ok, dup, stored}', () => tally(10, async (r) => {
  const res = await settle(10, (i) => coll('t_ins', i).insertOne({ _id: `r${r}` }));
  return [res.fulfilled, res.rejected, await db.collection('t_ins').countDocuments({ _id: `r${r}` })];
}));
await check('10 rounds x 10 concurrent CAS updateOne -> modifiedCount total', () => tally(10, async (r) => {
  await db.collection('t_cas').insertOne({ _id: r, v: 1 });
  const rs = await Promise.all(Array.from({ length: 10 }, (_, i) => coll('t_cas', i).updateOne({ _id: r, v: 1 }, { $set: { v: 2 } })));
  return rs.reduce((s, x) => s + x.modifiedCount, 0);
}));
await check('10 rounds x 10 concurrent deleteOne same _id -> deletedCount total', () => tally(10, async (r) => {
  await db.collection('t_del').insertOne({ _id: r });
  const rs = await Promise.all(Array.from({ length: 10 }, (_, i) => coll('t_del', i).deleteOne({ _id: r })));
  return rs.reduce((s, x) => s + x.deletedCount, 0);
}));
await check('20 rounds: deleteOne({_id,v:1}) racing updateOne({_id,v:1},{v:2}) -> [deleted, modified, docAfter]', () =>
  tally(20, async (r) => {
    await db.collection('t_delupd').insertOne({ _id: r, v: 1 });
    const [d, u] = await Promise.all([
      coll('t_delupd', 0).deleteOne({ _id: r, v: 1 }),
      coll('t_delupd', 1).updateOne({ _id: r, v: 1 }, { $set: { v: 2 } }),
    ]);
    return [d.deletedCount, u.modifiedCount, (await db.collection('t_delupd').findOne({ _id: r }))?.v ?? null];
  }));
await check('20 rounds: deleteOne({_id}) racing insertOne({_id}) of a deleted-then-reinserted key', () =>
  tally(20, async (r) => {
    await db.collection('t_reins').insertOne({ _id: r, gen: 1 });
    const [d, i] = await Promise.allSettled([
      coll('t_reins', 0).deleteOne({ _id: r, gen: 1 }),
      coll('t_reins', 1).deleteOne({ _id: r }).then(() => coll('t_reins', 2).insertOne({ _id: r, gen: 2 })),
    ]);
    return [d.value?.deletedCount, i.status, (await db.collection('t_reins').findOne({ _id: r }))?.gen ?? null];
  }));
await check('200 concurrent inserts of distinct docs (SQLITE_BUSY?)', async () => ({
  ...(await settle(200, (i) => coll('t_many', i).insertOne({ _id: i }))),
  stored: await db.collection('t_many').countDocuments(),
}));
await check('20 concurrent $set on 20 different docs', async () => {
  await db.collection('t_diff').insertMany(Array.from({ length: 20 }, (_, i) => ({ _id: i, v: 0 })));
  await settle(20, (i) => coll('t_diff', i).updateOne({ _id: i }, { $set: { v: 1 } }));
  return db.collection('t_diff').countDocuments({ v: 1 });
});
await check('20 concurrent $set of different fields on one doc', async () => {
  await db.collection('t_fields').insertOne({ _id: 1 });
  await settle(20, (i) => coll('t_fields', i).updateOne({ _id: 1 }, { $set: { [`f${i}`]: 1 } }));
  return Object.keys(await db.collection('t_fields').findOne({ _id: 1 })).length - 1;
});
await Promise.all(clients.map((c) => c.close()));

console.log('\n# indexes');
const ix = db.collection('ix');
await ix.insertOne({ _id: 'seed', a: 1, b: 1, tags: ['t1', 't2'] });
await check('createIndex compound {a:1,b:1,_id:1}', () => ix.createIndex({ a: 1, b: 1, _id: 1 }));
await check('createIndex same spec again (idempotent?)', () => ix.createIndex({ a: 1, b: 1, _id: 1 }));
await check('createIndex same keys, other name', () => ix.createIndex({ a: 1, b: 1, _id: 1 }, { name: 'other' }));
await check('createIndex same name, other keys', () => ix.createIndex({ b: 1 }, { name: 'a_1_b_1__id_1' }));
await check('createIndex unique', () => ix.createIndex({ u: 1 }, { unique: true }));
await check('createIndex sparse', () => ix.createIndex({ s: 1 }, { sparse: true }));
await check('createIndex unique+sparse', () => ix.createIndex({ us: 1 }, { unique: true, sparse: true }));
await check('unique+sparse: two docs missing the field', async () => {
  await ix.insertOne({ _id: 'm1' });
  await ix.insertOne({ _id: 'm2' });
  return 'both inserted';
});
await check('createIndex partialFilterExpression', () =>
  ix.createIndex({ p: 1 }, { unique: true, partialFilterExpression: { p: { $exists: true } } }));
await check('createIndex on array field (multikey)', () => ix.createIndex({ tags: 1 }));
await check('query multikey {tags:"t2"}', () => ids(ix, { tags: 't2' }));
await check('createIndex unique on array field, then overlapping arrays', async () => {
  const c = db.collection('ix_arr');
  await c.createIndex({ tags: 1 }, { unique: true });
  await c.insertOne({ _id: 1, tags: ['x', 'y'] });
  await c.insertOne({ _id: 2, tags: ['y', 'z'] });
  return ids(c);
});
await check('createIndex TTL expireAfterSeconds', () => ix.createIndex({ at: 1 }, { expireAfterSeconds: 60 }));
await check('createIndex descending {k:-1}', () => ix.createIndex({ k: -1 }));
await check('createIndexes (several at once)', () =>
  db.collection('ix2').createIndexes([{ key: { a: 1 }, unique: true }, { key: { b: 1, c: -1 } }]));
await check('createIndex collation', () => ix.createIndex({ ci: 1 }, { collation: { locale: 'en', strength: 2 } }));
await check('listIndexes', async () => (await ix.listIndexes().toArray()).map(({ v: _v, ...i }) => i));
await check('dropIndex', () => ix.dropIndex('k_-1'));

console.log('\n# queries');
const q = db.collection('q');
const keys = ['a', 'c', 'm', 'm', 'm', 'q', 'z', 'B', 'é', 'aa'];
await q.insertMany(keys.map((k, i) => ({ _id: `u${i}`, org: i % 3 === 2 ? 'y' : 'x', k })));
await q.insertMany([{ _id: 'acme:1' }, { _id: 'acme:2' }, { _id: 'acme:3' }, { _id: 'acme:4' }, { _id: 'acme:5' },
  { _id: 'acme:6' }, { _id: 'acme;' }, { _id: 'acme' }, { _id: 'acmf:1' }, { _id: 'acme:10' }]);
await q.insertMany([{ _id: 'r1', name: 'a.b(c)*' }, { _id: 'r2', name: 'A.B(C)* tail' }, { _id: 'r3', name: 'axb(c)' }]);
await check('sort {k:1,_id:1} org x (byte order?)', async () =>
  (await q.find({ org: 'x' }).sort({ k: 1, _id: 1 }).toArray()).map((d) => `${d.k}/${d._id}`));
await check('keyset: {org:x, $or:[{k>m},{k=m,_id>u2}]} sort {k,_id} limit 3', async () =>
  (await q.find({ org: 'x', $or: [{ k: { $gt: 'm' } }, { k: 'm', _id: { $gt: 'u2' } }] })
    .sort({ k: 1, _id: 1 }).limit(3).toArray()).map((d) => `${d.k}/${d._id}`));
await check('keyset with hint {a:1,b:1,_id:1}-style index', async () => {
  await q.createIndex({ org: 1, k: 1, _id: 1 });
  return (await q.find({ org: 'x', $or: [{ k: { $gt: 'm' } }, { k: 'm', _id: { $gt: 'u2' } }] })
    .sort({ k: 1, _id: 1 }).limit(3).hint({ org: 1, k: 1, _id: 1 }).toArray()).map((d) => `${d.k}/${d._id}`);
});
const escapeRegex = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
await check('$regex escaped "a.b(c)*" (prefix ^)', async () => ids(q, { name: { $regex: `^${escapeRegex('a.b(c)*')}` } }));
await check('$regex escaped, options i', async () => ids(q, { name: { $regex: `^${escapeRegex('a.b(c)*')}`, $options: 'i' } }));
await check('$regex as JS RegExp /i', async () => ids(q, { name: new RegExp(escapeRegex('b(c)'), 'i') }));
await check('$in', async () => ids(q, { k: { $in: ['a', 'z', 'nope'] } }));
await check('$nin / $ne / $exists', async () => ({
  nin: (await ids(q, { k: { $nin: ['a', 'm'] }, org: 'x' })).length,
  ne: (await ids(q, { k: { $ne: 'm' }, org: 'x' })).length,
  exists: (await ids(q, { name: { $exists: true } })).length,
}));
await check('range _id {$gt:"acme:",$lt:"acme;"} sort {_id:-1} limit 5', async () =>
  (await q.find({ _id: { $gt: 'acme:', $lt: 'acme;' } }).sort({ _id: -1 }).limit(5).toArray()).map((d) => d._id));
await check('string order: sort and $gt on "z" < "é" < "\\uFFFD" < "😀" (UTF-8 bytes) ', async () => {
  const c = db.collection('utf');
  await c.insertMany(['\uFFFD', '😀', 'é', 'z', 'Z'].map((s) => ({ _id: s })));
  return {
    sorted: (await c.find().sort({ _id: 1 }).toArray()).map((x) => x._id),
    gtFFFD: (await c.find({ _id: { $gt: '\uFFFD' } }).toArray()).map((x) => x._id),
    jsSort: ['\uFFFD', '😀', 'é', 'z', 'Z'].sort(),
  };
});
await check('explain pushdown: {_id:"u1"} / {_id:{$gt}} / {org} / sort {_id:1}', async () => {
  const ex = async (cur) => { const e = await cur.explain(); return [e.filterPushdown, e.sortPushdown, e.limitPushdown]; };
  return {
    idEq: await ex(q.find({ _id: 'u1' })),
    idRange: await ex(q.find({ _id: { $gt: 'acme:' } })),
    idEqPlusField: await ex(q.find({ _id: 'u1', org: 'x' })),
    sortId: await ex(q.find({}).sort({ _id: 1 }).limit(5)),
  };
});
await check('find skip/limit + projection', async () =>
  q.find({ org: 'y' }, { projection: { _id: 1, k: 1 } }).sort({ _id: 1 }).skip(1).limit(2).toArray());
await check('find 250 docs (getMore batches)', async () => {
  const c = db.collection('big');
  await c.insertMany(Array.from({ length: 250 }, (_, i) => ({ _id: i })));
  return (await c.find().batchSize(100).toArray()).length;
});
await check('dot-notation query on nested field', async () => {
  await q.insertOne({ _id: 'n1', meta: { role: 'admin' } });
  return ids(q, { 'meta.role': 'admin' });
});
await check('$expr', async () => ids(q, { $expr: { $eq: ['$k', 'q'] } }));
await check('find with collation', async () => ids(q, { k: 'b' }).then(() =>
  q.find({ k: 'b' }, { collation: { locale: 'en', strength: 2 } }).toArray()));
await check('distinct', () => q.distinct('org'));

console.log('\n# counting and aggregation');
await check('countDocuments {org:"x"}', () => q.countDocuments({ org: 'x' }));
await check('countDocuments with limit 2', () => q.countDocuments({ org: 'x' }, { limit: 2 }));
await check('estimatedDocumentCount', () => q.estimatedDocumentCount());
await check('aggregate $match+$count', () => q.aggregate([{ $match: { org: 'x' } }, { $count: 'n' }]).toArray());
await check('aggregate $match+$count (no match)', () => q.aggregate([{ $match: { org: 'none' } }, { $count: 'n' }]).toArray());
await check('aggregate $facet', () => q.aggregate([{ $facet: { total: [{ $count: 'n' }], page: [{ $limit: 2 }] } }]).toArray());
await check('aggregate $match/$sort/$skip/$limit/$project', () => q.aggregate([
  { $match: { org: 'x' } }, { $sort: { k: -1, _id: 1 } }, { $skip: 1 }, { $limit: 3 }, { $project: { _id: 0, k: 1 } },
]).toArray());
await check('aggregate $group', () => q.aggregate([{ $match: { org: { $exists: true } } },
  { $group: { _id: '$org', n: { $sum: 1 } } }, { $sort: { _id: 1 } }]).toArray());
await check('aggregate $lookup', () => q.aggregate([{ $limit: 1 },
  { $lookup: { from: 'dup', localField: 'k', foreignField: '_id', as: 'x' } }]).toArray());

console.log('\n# bulkWrite');
const bw = db.collection('bw');
await bw.insertMany([{ _id: 'keep', n: 1 }, { _id: 'gone', n: 1 }]);
await check('bulkWrite ordered:false mixed', async () => {
  const r = await bw.bulkWrite([
    { insertOne: { document: { _id: 'new', n: 1 } } },
    { updateOne: { filter: { _id: 'keep' }, update: { $inc: { n: 1 } }, upsert: true } },
    { updateOne: { filter: { _id: 'ups' }, update: { $set: { n: 1 } }, upsert: true } },
    { deleteOne: { filter: { _id: 'gone' } } },
    { replaceOne: { filter: { _id: 'rep' }, replacement: { n: 9 }, upsert: true } },
  ], { ordered: false });
  const { insertedCount, matchedCount, modifiedCount, deletedCount, upsertedCount, upsertedIds, insertedIds } = r;
  return { insertedCount, matchedCount, modifiedCount, deletedCount, upsertedCount, upsertedIds, insertedIds, docs: await bw.find().sort({ _id: 1 }).toArray() };
});
await check('bulkWrite ordered:false with a duplicate insert', async () => {
  try {
    await bw.bulkWrite([
      { insertOne: { document: { _id: 'keep' } } },
      { updateOne: { filter: { _id: 'keep' }, update: { $inc: { n: 10 } } } },
      { insertOne: { document: { _id: 'new2' } } },
    ], { ordered: false });
    return 'no error';
  } catch (e) {
    return { error: describeError(e), keep: await bw.findOne({ _id: 'keep' }), new2: await bw.findOne({ _id: 'new2' }) };
  }
});

console.log('\n# updates');
const up = db.collection('up');
await up.insertOne({ _id: 'u', a: 1, b: 2, hi: 5, n: 1, when: new Date(1000) });
await check('updateOne $set/$unset/$max/$inc', async () => {
  const r = await up.updateOne({ _id: 'u' }, { $set: { a: 'A' }, $unset: { b: '' }, $max: { hi: 3, when: new Date(2000) }, $inc: { n: 2 } });
  return { r, doc: await up.findOne({ _id: 'u' }) };
});
await check('$max raising', async () => {
  await up.updateOne({ _id: 'u' }, { $max: { hi: 7 } });
  return (await up.findOne({ _id: 'u' })).hi;
});
await check('updateOne no-op ($set same value) counts', () => up.updateOne({ _id: 'u' }, { $set: { a: 'A' } }));
await check('updateOne upsert with $setOnInsert', async () => {
  const r = await up.updateOne({ _id: 'v' }, { $set: { a: 1 }, $setOnInsert: { created: 1 } }, { upsert: true });
  const r2 = await up.updateOne({ _id: 'v' }, { $set: { a: 2 }, $setOnInsert: { created: 2 } }, { upsert: true });
  return { first: r, second: r2, doc: await up.findOne({ _id: 'v' }) };
});
await check('upsert with non-_id filter (query fields copied?)', async () => {
  const r = await up.updateOne({ org: 'o', k: 'k1' }, { $set: { x: 1 } }, { upsert: true });
  return { r, doc: await up.findOne({ _id: r.upsertedId }) };
});
await check('$push/$addToSet/$pull', async () => {
  await up.updateOne({ _id: 'u' }, { $push: { l: 1 } });
  await up.updateOne({ _id: 'u' }, { $addToSet: { l: 1 } });
  await up.updateOne({ _id: 'u' }, { $addToSet: { l: 2 } });
  await up.updateOne({ _id: 'u' }, { $pull: { l: 1 } });
  return (await up.findOne({ _id: 'u' })).l;
});
await check('findOneAndUpdate returnDocument after', () =>
  up.findOneAndUpdate({ _id: 'u' }, { $inc: { n: 1 } }, { returnDocument: 'after' }));
await check('findOneAndUpdate includeResultMetadata', () =>
  up.findOneAndUpdate({ _id: 'u' }, { $inc: { n: 1 } }, { returnDocument: 'after', includeResultMetadata: true }));
await check('findOneAndUpdate no match -> null', () => up.findOneAndUpdate({ _id: 'none' }, { $inc: { n: 1 } }));
await check('findOneAndUpdate upsert after', () =>
  up.findOneAndUpdate({ _id: 'w' }, { $set: { a: 1 } }, { upsert: true, returnDocument: 'after' }));
await check('findOneAndReplace / findOneAndDelete', async () => ({
  replaced: await up.findOneAndReplace({ _id: 'w' }, { a: 2 }, { returnDocument: 'after' }),
  deleted: await up.findOneAndDelete({ _id: 'w' }),
}));
await check('replaceOne changing _id', () => up.replaceOne({ _id: 'v' }, { _id: 'other', a: 1 }));
await check('updateMany / deleteMany counts', async () => ({
  updated: (await up.updateMany({}, { $set: { z: 1 } })).modifiedCount,
  deleted: (await up.deleteMany({ z: 1 })).deletedCount,
}));
await check('update with pipeline', () => up.updateOne({ _id: 'u' }, [{ $set: { a: 1 } }]));
await check('insertOne writeConcern majority / j:true', () =>
  up.insertOne({ _id: 'wc' }, { writeConcern: { w: 'majority', j: true } }));
await check('find readConcern majority', () => up.find({}, { readConcern: { level: 'majority' } }).toArray());

console.log('\n# options');
await check('find maxTimeMS 1000', () => q.find({ org: 'x' }).maxTimeMS(1000).toArray().then((r) => r.length));
await check('find maxTimeMS 1 (on $where-free query)', () => q.find({}).maxTimeMS(1).toArray().then((r) => r.length));
await check('find hint (existing index)', () => q.find({ org: 'x' }).hint({ org: 1, k: 1, _id: 1 }).toArray().then((r) => r.length));
await check('find hint (missing index)', () => q.find({ org: 'x' }).hint({ nope: 1 }).toArray().then((r) => r.length));
await check('explain()', () => q.find({ org: 'x' }).sort({ k: 1 }).limit(2).explain());
await check('countDocuments maxTimeMS', () => q.countDocuments({}, { maxTimeMS: 1000 }));

console.log('\n# database and collections');
await check('createCollection', async () => (await db.createCollection('made')).collectionName);
await check('createCollection again', async () => (await db.createCollection('made')).collectionName);
await check('listCollections', async () => (await db.listCollections().toArray()).map((c) => `${c.name}:${c.type}`).sort());
await check('listCollections nameOnly', async () => (await db.listCollections({}, { nameOnly: true }).toArray()).length);
await check('collection drop', () => db.collection('made').drop());
await check('collection drop (missing)', () => db.collection('made').drop());
await check('collection names with dots / $', async () => {
  await db.collection('a.b').insertOne({});
  return db.collection('a$b').insertOne({});
});

console.log('\n# awkward values');
const aw = db.collection('aw');
await check('string with NUL', async () => {
  await aw.insertOne({ _id: 'nul', s: 'a\u0000b' });
  return (await aw.findOne({ _id: 'nul' })).s === 'a\u0000b';
});
await check('_id with NUL', () => aw.insertOne({ _id: 'x\u0000y' }));
await check('key starting with $', () => aw.insertOne({ $bad: 1 }));
await check('nested key starting with $', () => aw.insertOne({ ok: { $bad: 1 } }));
await check('key containing .', () => aw.insertOne({ 'a.b': 1 }));
await check('nested key containing .', () => aw.insertOne({ ok: { 'a.b': 1 } }));
await check('key containing NUL (driver)', () => aw.insertOne({ 'a\u0000b': 1 }));
await check('empty key ""', () => aw.insertOne({ '': 1 }));
await check('nested arrays', async () => {
  await aw.insertOne({ _id: 'nest', v: [[1, 2], [3]] });
  return (await aw.findOne({ _id: 'nest' })).v;
});
await check('NaN', () => aw.insertOne({ _id: 'nan', v: NaN }).then(() => aw.findOne({ _id: 'nan' })));
await check('NaN in a filter', () => aw.findOne({ v: NaN }));
await check('Infinity', () => aw.insertOne({ _id: 'inf', v: Infinity }).then(() => aw.findOne({ _id: 'inf' })));
await check('-0', () => aw.insertOne({ _id: 'negzero', v: -0 }).then(async () => Object.is((await aw.findOne({ _id: 'negzero' })).v, -0)));
await check('undefined field (driver default ignoreUndefined=false -> null?)', () =>
  aw.insertOne({ _id: 'undef', v: undefined }).then(() => aw.findOne({ _id: 'undef' })));
await check('null value', () => aw.insertOne({ _id: 'null', v: null }).then(() => aw.findOne({ _id: 'null' })));
await check('long string 1 MB', async () => {
  await aw.insertOne({ _id: 'long', s: 'x'.repeat(1 << 20) });
  return (await aw.findOne({ _id: 'long' })).s.length;
});
await check('document > 16 MiB', () => aw.insertOne({ _id: 'huge', s: 'x'.repeat(17 << 20) }));
await check('_id as object / array', async () => {
  await aw.insertOne({ _id: { o: 'acme', u: 'ada' } });
  return aw.insertOne({ _id: [1, 2] });
});

console.log('\n# types');
const ty = db.collection('ty');
const d = new Date(1700000000123);
await ty.insertOne({ _id: 't', d, five: 5, big: 1700000000000, half: 2.5, neg: -7, i64: Long.fromNumber(1700000000000), big53: 2 ** 53 + 2 });
await check('round trip (promoted)', async () => {
  const r = await ty.findOne({ _id: 't' });
  return {
    dateIsDate: r.d instanceof Date, dateEqual: r.d.getTime() === d.getTime(),
    five: [typeof r.five, r.five], big: [typeof r.big, r.big], i64: [typeof r.i64, r.i64], big53: r.big53,
  };
});
await check('stored BSON types (promoteValues:false)', async () => {
  const r = await ty.findOne({ _id: 't' }, { promoteValues: false });
  const t = (v) => (v instanceof Int32 ? 'int32' : v instanceof Double ? 'double' : v instanceof Long ? 'int64' : v?.constructor?.name);
  return { five: t(r.five), big: t(r.big), half: t(r.half), neg: t(r.neg), i64: t(r.i64), d: t(r.d) };
});
await check('$type queries', async () => ({
  fiveIsInt: await ty.countDocuments({ five: { $type: 'int' } }),
  bigIsDouble: await ty.countDocuments({ big: { $type: 'double' } }),
  bigIsLong: await ty.countDocuments({ big: { $type: 'long' } }),
}));
await check('numeric equality across types: {five: 5.0}, {big: Long}', async () => ({
  five: await ty.countDocuments({ five: new Double(5) }),
  big: await ty.countDocuments({ big: Long.fromNumber(1700000000000) }),
  i64AsNumber: await ty.countDocuments({ i64: 1700000000000 }),
}));
await check('range on dates', () => ty.countDocuments({ d: { $gt: new Date(1700000000000), $lt: new Date(1700000001000) } }));
await check('sort by number across int32/double/int64', async () => {
  const c = db.collection('numsort');
  await c.insertMany([{ _id: 1, v: 5 }, { _id: 2, v: 2.5 }, { _id: 3, v: Long.fromNumber(3) }, { _id: 4, v: 1700000000000 }]);
  return (await c.find().sort({ v: 1 }).toArray()).map((x) => x._id);
});

console.log('\n# unreachable server');
const freePort = await new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});
await check(`connect to closed port ${freePort}, serverSelectionTimeoutMS 1000`, async () => {
  const c = new MongoClient(`mongodb://127.0.0.1:${freePort}/`, { serverSelectionTimeoutMS: 1000 });
  const t0 = performance.now();
  try {
    await c.db('x').collection('y').findOne({});
    return 'unexpectedly connected';
  } catch (e) {
    return { ms: Math.round(performance.now() - t0), class: e.constructor.name, name: e.name, message: e.message, cause: e.cause?.message };
  } finally {
    await c.close();
  }
});

console.log('\n# cleanup');
await check('dropDatabase', () => db.dropDatabase());
await check('listDatabases after drop', async () => (await client.db().admin().listDatabases()).databases.map((x) => x.name));
await client.close();
