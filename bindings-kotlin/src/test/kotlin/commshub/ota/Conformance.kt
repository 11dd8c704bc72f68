package commshub.ota

import com.fasterxml.jackson.databind.JsonNode
import com.fasterxml.jackson.databind.ObjectMapper
import com.fasterxml.jackson.databind.node.ArrayNode
import com.fasterxml.jackson.databind.node.JsonNodeFactory
import com.fasterxml.jackson.databind.node.NullNode
import com.fasterxml.jackson.databind.node.ObjectNode
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.Paths
import java.time.Instant

/**
 * The Kotlin runner of the language-neutral conformance scenarios (tests/README.md). Commands
 * and queries go as their JSON form through the one command entry (executeJson) and the one
 * query entry (queryJson), so nothing here maps a command or a view by hand; answers are
 * compared as subsets, exactly as the Rust and Python runners do.
 */
object Conformance {
    val mapper = ObjectMapper()
    private val json = JsonNodeFactory.instance
    val testsDir: Path = Paths.get(System.getProperty("conformance.dir") ?: "../tests").toAbsolutePath().normalize()

    fun scenarioFiles(): List<Path> =
        Files.list(testsDir.resolve("scenarios")).use { s -> s.filter { it.toString().endsWith(".json") }.sorted().toList() }

    private fun JsonNode.str(name: String): String = get(name)?.takeUnless { it.isNull }?.asText() ?: error("missing $name in $this")
    private fun JsonNode.optStr(name: String): String? = get(name)?.takeUnless { it.isNull }?.asText()
    /**
     * The key a signed scenario names [label] (an actor's code by default): its seed is the
     * SHA-256 of `commshub-ota conformance key <label>`, the same in every runner.
     */
    fun scenarioKey(label: String): KeyPair =
        KeyPair.fromSeed(java.security.MessageDigest.getInstance("SHA-256").digest("commshub-ota conformance key $label".toByteArray()))

    /** In a signed scenario, [actor]'s next commands are signed with the key of [label]. */
    private fun signFor(engine: Engine, actor: String, label: String?, signed: Boolean) {
        if (signed) engine.signAs(actor, scenarioKey(label ?: actor))
    }

    /** Runs one command (its JSON form, as in the event log) through the one command entry. */
    fun command(engine: Engine, actor: String, at: Instant, c: JsonNode, key: String? = null, signed: Boolean = false): List<Recorded> {
        signFor(engine, actor, key, signed)
        return engine.executeJson(actor, at, mapper.writeValueAsString(c))
    }

    /** The scenario's store; signed, the DCC's host signing its snapshots. */
    private fun open(location: String, trust: Pair<String, String>?): Engine =
        if (trust == null) Engine.open(location, 0)
        else Engine.openSigned(location, StoreOptions(snapshotEvery = 0, trustLog = trust.first, trustAnchor = trust.second), scenarioKey("dcc"))

    /** The payloads of the events recorded after `seq`, as the log writes them. */
    private fun payloadsAfter(engine: Engine, seq: Long): ArrayNode =
        mapper.createArrayNode().apply { engine.journalLines(seq).forEach { add(mapper.readTree(it).get("payload")) } }

    /** A scenario's query: its actor, and the rest as the core's Query JSON (one entry, no mapping). */
    fun query(engine: Engine, q: JsonNode): JsonNode {
        val rest = (q as ObjectNode).deepCopy().apply { remove("actor") }
        return mapper.readTree(engine.queryJson(q.str("actor"), mapper.writeValueAsString(rest)))
    }

    /** The kind as the scenarios name it (`not_permitted`); a panic is no kind a scenario expects. */
    fun kind(e: CommsHubOtaException): String = e.kind?.name?.lowercase() ?: "panic"

    fun description(e: CommsHubOtaException): String = e.message!!

    /** Null when `actual` matches `expected` as a subset, else what differs. */
    fun matches(expected: JsonNode, actual: JsonNode?, path: String): String? {
        val a = actual ?: NullNode.instance
        return when {
            expected is ObjectNode && a is ObjectNode ->
                expected.fields().asSequence().firstNotNullOfOrNull { (k, v) -> matches(v, a.get(k), "$path.$k") }
            expected is ArrayNode && a is ArrayNode ->
                if (expected.size() != a.size()) "$path: expected ${expected.size()} items, got ${a.size()}: $a"
                else expected.zip(a).withIndex().firstNotNullOfOrNull { (i, p) -> matches(p.first, p.second, "$path[$i]") }
            expected.isNull && a.isNull -> null
            expected.isNumber && a.isNumber -> if (expected.asLong() == a.asLong()) null else "$path: expected $expected, got $a"
            expected == a -> null
            else -> "$path: expected $expected, got $a"
        }
    }

    private fun checkError(then: JsonNode, e: CommsHubOtaException): String? {
        val want = then.get("error")?.asText() ?: return "unexpected error ${kind(e)}: ${description(e)}"
        if (kind(e) != want) return "expected error $want, got ${kind(e)}: ${description(e)}"
        return then.get("message_contains")?.map { it.asText() }?.firstOrNull { it !in description(e) }
            ?.let { "error message \"${description(e)}\" lacks \"$it\"" }
    }

    private fun checkValue(then: JsonNode, value: JsonNode): String? {
        if (then.has("error")) return "expected error ${then.get("error")}, got $value"
        then.get("result")?.let { matches(it, value, "result")?.let { p -> return p } }
        then.get("count")?.let { if (!value.isArray || value.size() != it.asInt()) return "expected ${it.asInt()} items, got $value" }
        return null
    }

    private fun eventLine(seq: Long, at: String, actor: String, payload: String) =
        """{"schema":${CommsHubOta.schemaVersion()},"seq":$seq,"at":${mapper.writeValueAsString(at)},"actor":${mapper.writeValueAsString(actor)},"payload":$payload}"""

    fun given(engine: Engine, doc: JsonNode, signed: Boolean = false): Engine {
        var current = engine
        doc.get("fixtures")?.forEach { current = given(current, mapper.readTree(testsDir.resolve(it.asText()).toFile()), signed) }
        doc.get("commands")?.forEach { command(current, it.str("actor"), Instant.parse(it.str("at")), it.get("command"), it.optStr("key"), signed) }
        val events = doc.get("events")
        if (events != null && events.size() > 0) {
            // Given events are recorded history: a log of what exists plus them, replayed.
            val lines = current.journalLines(0).toMutableList()
            var seq = current.lastSeq()
            events.forEach { lines.add(eventLine(++seq, it.str("at"), it.str("actor"), mapper.writeValueAsString(it.get("payload")))) }
            val file = Scratch.file("given", ".jsonl")
            Files.write(file, lines)
            current = Engine.replayLog(file.toString())
            Files.delete(file)
        }
        return current
    }

    private val storeSteps = listOf("reopen", "snapshot", "store_info", "feed", "batch")

    /** A durable scenario's store step: the engine (another after `reopen`) and the answer. */
    private fun storeStep(engine: Engine, location: String, step: JsonNode, trust: Pair<String, String>?): Pair<Engine, JsonNode> = when {
        step.has("reopen") -> {
            engine.close() // let go of the store first, as a restarted process would have
            val reopened = open(location, trust)
            val r = reopened.openReport()!!
            reopened to json.objectNode().apply {
                if (r.snapshot == null) putNull("snapshot") else put("snapshot", r.snapshot)
                put("replayed", r.replayed)
                putArray("refused").apply { r.refused.forEach { add(it.kind.name.lowercase()) } }
            }
        }
        step.has("snapshot") -> engine to json.numberNode(engine.snapshot())
        step.has("store_info") -> engine to engine.storeInfo().let { info ->
            json.objectNode().apply {
                put("location", info.location)
                put("events", info.events.toLong())
                put("last_hash", info.lastHash)
                put("snapshot_at", info.snapshotAt.toLong())
            }
        }
        step.has("feed") -> {
            val f = step.get("feed")
            engine to mapper.readTree(engine.feedJson(f.str("actor"), f.get("cursor").asLong(), f.get("limit").asLong()))
        }
        else -> {
            val b = step.get("batch")
            b.get("commands").forEach { signFor(engine, it.str("actor"), it.optStr("key"), trust != null) }
            val commands = b.get("commands").map { BatchCommand(it.str("actor"), CommsHubOta.commandFromJson(mapper.writeValueAsString(it.get("command")))) }
            val before = engine.lastSeq()
            val answers = engine.executeBatch(Instant.parse(b.str("at")), commands)
            // The batch's events, as the log writes them, in the order of its answers.
            val lines = engine.journalLines(before).map { mapper.readTree(it).get("payload") }.iterator()
            engine to json.arrayNode().apply {
                answers.forEach { a ->
                    val refused = a.refused
                    if (refused != null) addObject().put("error", refused.kind.name.lowercase())
                    else addObject().putArray("events").apply { repeat(a.events.size) { add(lines.next()) } }
                }
            }
        }
    }

    /** Runs a scenario; returns (steps, problem or null). */
    fun run(doc: JsonNode): Pair<Int, String?> {
        val store = doc.get("store")?.asText()
        require(store == null || store == "sqlite") { "unknown store $store" }
        val location = store?.let { Scratch.dir("scenario").resolve("scenario.db").toString() }
        // A signed scenario: its log's identity; the DCC's key (label `dcc`) is the anchor.
        val trust = doc.get("signed")?.asText()?.let { it to scenarioKey("dcc").publicKey() }
        val signed = trust != null
        val start = when {
            location != null -> open(location, trust)
            trust != null -> Engine.withTrust(trust.first, trust.second)
            else -> Engine()
        }
        var engine = given(start, doc.get("given") ?: mapper.createObjectNode(), signed)
        try {
            val steps = doc.get("steps")
            steps.forEachIndexed { i, step ->
                val then = step.get("then") ?: mapper.createObjectNode()
                val problem: String? = when {
                    step.has("when") -> {
                        val w = step.get("when")
                        val before = engine.lastSeq()
                        try {
                            command(engine, w.str("actor"), Instant.parse(w.str("at")), w.get("command"), w.optStr("key"), signed)
                            // Either kind of engine: the events after the step's first.
                            val payloads = payloadsAfter(engine, before)
                            if (then.has("error")) "expected error ${then.get("error")}, got events $payloads"
                            else then.get("events")?.let { matches(it, payloads, "events") }
                        } catch (e: CommsHubOtaException) {
                            checkError(then, e) ?: if (engine.lastSeq() != before) "a refused command recorded events" else null
                        }
                    }
                    step.has("query") -> try { checkValue(then, query(engine, step.get("query"))) } catch (e: CommsHubOtaException) { checkError(then, e) }
                    step.has("parse") -> try {
                        checkValue(then, json.textNode(CommsHubOta.parseId(step.get("parse").str("kind"), step.get("parse").str("input"))))
                    } catch (e: CommsHubOtaException) { checkError(then, e) }
                    storeSteps.any { step.has(it) } ->
                        if (location == null) "a store step in a scenario without \"store\""
                        else try {
                            val (next, answer) = storeStep(engine, location, step, trust)
                            engine = next
                            checkValue(then, answer)
                        } catch (e: CommsHubOtaException) { checkError(then, e) }
                    else -> "a step needs when, query, parse or a store step"
                }
                if (problem != null) return steps.size() to "step ${i + 1}: $problem"
            }
            if (location != null) {
                // A durable scenario's store must verify and reopen to the state it built.
                engine.verifyStore()
                val same = open(location, trust).use { it.sameStateAs(engine) }
                return steps.size() to (if (same) null else "reopening the scenario's store gave another state")
            }
            val log = Scratch.file("scenario", ".jsonl")
            engine.writeLog(log.toString())
            val replayed = if (trust == null) Engine.replayLog(log.toString()) else Engine.replaySignedLog(log.toString(), trust.first, trust.second)
            val same = replayed.use { it.sameStateAs(engine) }
            Files.delete(log)
            return steps.size() to (if (same) null else "replaying the scenario's events gave another state")
        } finally {
            engine.close()
        }
    }
}
