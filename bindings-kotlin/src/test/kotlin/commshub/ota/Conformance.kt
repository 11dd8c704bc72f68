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
 * go to the Engine's typed methods; query answers are turned back into the scenarios' JSON
 * shape and compared as subsets, exactly as the Rust and Python runners do.
 */
object Conformance {
    val mapper = ObjectMapper()
    private val json = JsonNodeFactory.instance
    val testsDir: Path = Paths.get(System.getProperty("conformance.dir") ?: "../tests").toAbsolutePath().normalize()

    fun scenarioFiles(): List<Path> =
        Files.list(testsDir.resolve("scenarios")).use { s -> s.filter { it.toString().endsWith(".json") }.sorted().toList() }

    private fun JsonNode.str(name: String): String = get(name)?.takeUnless { it.isNull }?.asText() ?: error("missing $name in $this")
    private fun JsonNode.optStr(name: String): String? = get(name)?.takeUnless { it.isNull }?.asText()
    private fun upper(text: String) = text.uppercase()

    private fun flags(node: JsonNode?) = ConsumerFlags(
        vulnerable = node?.get("vulnerable")?.asBoolean() ?: false,
        highRisk = node?.get("high_risk")?.asBoolean() ?: false,
        superFriendly = node?.get("super_friendly")?.asBoolean() ?: false,
    )

    fun hubRow(n: JsonNode): HubRow = HubRow(
        id = n.str("id"),
        variant = n.str("variant"),
        firmware = n.str("firmware"),
        smiStatus = SmiStatus.valueOf(upper(n.str("smi_status"))),
        installedOn = n.str("installed_on"),
        commissionedOn = n.optStr("commissioned_on"),
        devices = n.get("devices")?.fields()?.asSequence()?.map { (kind, d) ->
            HanDevice(HanDeviceKind.valueOf(upper(kind)), d.str("model"), d.str("firmware"))
        }?.toList() ?: emptyList(),
        importSupplier = n.optStr("import_supplier"),
        gasSupplier = n.optStr("gas_supplier"),
        importFlags = flags(n.get("import_flags")),
        gasFlags = flags(n.get("gas_flags")),
    )

    /** The core's JSON form of a table as the Kotlin record: dates become a dictionary too. */
    fun estateTable(n: JsonNode): EstateTable {
        fun texts(name: String) = n.get(name)?.map { it.asText() } ?: emptyList()
        fun ints(name: String) = n.get(name)?.map { it.asInt() } ?: emptyList()
        fun optInts(name: String) = n.get(name)?.map { if (it.isNull) null else it.asInt() } ?: emptyList()
        fun bits(name: String) = n.get(name)?.map {
            val b = it.asInt()
            ConsumerFlags(vulnerable = b and 1 != 0, highRisk = b and 2 != 0, superFriendly = b and 4 != 0)
        } ?: emptyList()
        val dates = (texts("installed_on") + (n.get("commissioned_on")?.filter { !it.isNull }?.map { it.asText() } ?: emptyList())).distinct()
        return EstateTable(
            variants = texts("variants"),
            firmwareVersions = texts("firmware_versions"),
            customers = texts("customers"),
            devices = n.get("devices")?.map { DeviceProfile(it.str("model"), it.str("firmware")) } ?: emptyList(),
            dates = dates,
            id = texts("id"),
            variant = ints("variant"),
            firmware = ints("firmware"),
            smiStatus = texts("smi_status").map { SmiStatus.valueOf(upper(it)) },
            installedOn = texts("installed_on").map { dates.indexOf(it) },
            commissionedOn = n.get("commissioned_on")?.map { if (it.isNull) null else dates.indexOf(it.asText()) } ?: emptyList(),
            importSupplier = optInts("import_supplier"),
            gasSupplier = optInts("gas_supplier"),
            importFlags = bits("import_flags"),
            gasFlags = bits("gas_flags"),
            esme = optInts("esme"),
            gsme = optInts("gsme"),
            ppmid = optInts("ppmid"),
            hcalcs = optInts("hcalcs"),
            ihd = optInts("ihd"),
        )
    }

    fun configurationSet(n: JsonNode) = ConfigurationSet(
        variant = n.str("variant"),
        firmware = n.str("firmware"),
        devices = n.get("devices")?.fields()?.asSequence()?.map { (kind, d) ->
            HanDevice(HanDeviceKind.valueOf(upper(kind)), d.str("model"), d.str("firmware"))
        }?.toList() ?: emptyList(),
        key = "",
    )

    /** Runs one command (its JSON form) through the typed API; returns the events' payloads. */
    fun command(engine: Engine, actor: String, at: Instant, c: JsonNode): List<Event> {
        val campaign = { c.str("campaign") }
        return when (val type = c.str("type")) {
            "register_variant" -> c.get("variant").let { v ->
                engine.registerVariant(actor, at, Variant(v.str("id"), v.str("manufacturer"), v.str("model"), v.str("hardware_version"),
                    HanBand.valueOf(upper(v.str("han_band"))), Region.valueOf(upper(v.str("region")))))
            }
            "register_firmware" -> engine.registerFirmware(actor, at, c.str("variant"), c.str("version"),
                c.get("upgrades_from")?.map { it.asText() } ?: emptyList())
            "record_gate" -> engine.recordGate(actor, at, c.str("variant"), c.str("version"), Gate.valueOf(upper(c.str("gate"))), c.optStr("note"))
            "load_estate" -> {
                val before = engine.lastSeq()
                engine.loadEstate(actor, at, c.get("hubs").map { hubRow(it) })
                engine.events(before)
            }
            "load_estate_table" -> {
                val before = engine.lastSeq()
                engine.loadEstateTable(actor, at, estateTable(c.get("table")))
                engine.events(before)
            }
            "install_hub" -> engine.installHub(actor, at, hubRow(c.get("hub")))
            "commission_hub" -> engine.commissionHub(actor, at, c.str("hub"), c.str("on"))
            "change_supplier" -> engine.changeSupplier(actor, at, c.str("hub"), SupplyRole.valueOf(upper(c.str("role"))), c.optStr("supplier"), flags(c.get("flags")))
            "change_smi_status" -> engine.changeSmiStatus(actor, at, c.str("hub"), SmiStatus.valueOf(upper(c.str("status"))))
            "change_han_device_firmware" -> engine.changeHanDeviceFirmware(actor, at, c.str("hub"), HanDeviceKind.valueOf(upper(c.str("device"))), c.str("firmware"))
            "set_consumer_flags" -> engine.setConsumerFlags(actor, at, c.str("hub"), SupplyRole.valueOf(upper(c.str("role"))), flags(c.get("flags")))
            "decommission_hub" -> engine.decommissionHub(actor, at, c.str("hub"), c.str("on"))
            "create_campaign" -> engine.createCampaign(actor, at, campaign(), c.str("variant"), c.str("target"), Instant.parse(c.str("cutoff")),
                c.get("policy")?.let { campaignPolicyFromJson(mapper.writeValueAsString(it)) })
            "grant_pilot_oa" -> engine.grantPilotOa(actor, at, campaign())
            "grant_mass_rollout_oa" -> engine.grantMassRolloutOa(actor, at, campaign(), c.optStr("override_reason"))
            "complete_campaign" -> engine.completeCampaign(actor, at, campaign())
            "suspend_campaign" -> engine.suspendCampaign(actor, at, campaign(), c.str("reason"))
            "resume_campaign" -> engine.resumeCampaign(actor, at, campaign())
            "cancel_campaign" -> engine.cancelCampaign(actor, at, campaign(), c.str("reason"))
            "extend_cutoff" -> engine.extendCutoff(actor, at, campaign(), c.str("customer"), Instant.parse(c.str("until")))
            "nominate_hubs" -> engine.nominateHubs(actor, at, campaign(), c.get("hubs").map { it.asText() })
            "withdraw_nominations" -> engine.withdrawNominations(actor, at, campaign(), c.get("hubs").map { it.asText() })
            "approve_whole_estate" -> engine.approveWholeEstate(actor, at, campaign())
            "withdraw_whole_estate_approval" -> engine.withdrawWholeEstateApproval(actor, at, campaign())
            "approve_configuration_sets" -> engine.approveConfigurationSets(actor, at, campaign(), c.get("sets").map { configurationSet(it) })
            "withdraw_configuration_set_approvals" -> engine.withdrawConfigurationSetApprovals(actor, at, campaign(), c.get("sets").map { configurationSet(it) })
            "reject_hubs" -> engine.rejectHubs(actor, at, campaign(), c.get("hubs").map { it.asText() }, c.str("reason"))
            "withdraw_rejections" -> engine.withdrawRejections(actor, at, campaign(), c.get("hubs").map { it.asText() })
            "override_rejections" -> engine.overrideRejections(actor, at, campaign(), c.str("hub"), c.str("reason"))
            "record_pilot_verdict" -> engine.recordPilotVerdict(actor, at, campaign(), c.get("verdict").let { v ->
                if (v.str("outcome") == "success") PilotVerdict.Success else PilotVerdict.IssuesFound(v.str("text"))
            })
            "report_outcomes" -> engine.reportOutcomes(actor, at, campaign(), c.get("outcomes").map { outcomeReport(it) })
            "report_han_health" -> engine.reportHanHealth(actor, at, campaign(), c.get("reports").map { healthReport(it) })
            "check_deadlines" -> engine.checkDeadlines(actor, at)
            "halt_upgrades" -> engine.haltUpgrades(actor, at, campaign(), optSet(c), c.str("reason"))
            "resume_upgrades" -> engine.resumeUpgrades(actor, at, campaign(), optSet(c))
            "flag_defect" -> engine.flagDefect(actor, at, defectSubject(c.get("subject")), c.str("text"),
                c.get("named")?.asBoolean() ?: false, c.get("suspend_own")?.asBoolean() ?: false)
            "lift_defect_suspension" -> engine.liftDefectSuspension(actor, at, c.get("flag").asLong())
            "acknowledge_notifications" -> engine.acknowledgeNotifications(actor, at, c.get("up_to").asLong())
            else -> error("unknown command type $type")
        }
    }

    private fun optSet(c: JsonNode): ConfigurationSet? = c.get("set")?.takeUnless { it.isNull }?.let { configurationSet(it) }

    fun outcomeReport(n: JsonNode) = OutcomeReport(n.str("hub"), when (val o = n.str("outcome")) {
        "dispatched" -> Outcome.Dispatched
        "delivered" -> Outcome.Delivered
        "delivery_failed" -> Outcome.DeliveryFailed(n.optStr("reason"))
        "activated" -> Outcome.Activated
        "activation_failed" -> Outcome.ActivationFailed(n.optStr("reason"))
        "no_response" -> Outcome.NoResponse
        "read_back" -> Outcome.ReadBack(n.str("firmware"))
        else -> error("unknown outcome $o")
    }, n.optStr("happened_at")?.let { Instant.parse(it) })

    fun healthReport(n: JsonNode) = HealthReport(n.str("hub"), when (val h = n.str("health")) {
        "all_fine" -> HanHealth.AllFine
        "device_lost_contact" -> HanHealth.DeviceLostContact(HanDeviceKind.valueOf(upper(n.str("device"))))
        "device_misbehaves" -> HanHealth.DeviceMisbehaves(HanDeviceKind.valueOf(upper(n.str("device"))), n.optStr("text"))
        else -> error("unknown health $h")
    }, n.optStr("happened_at")?.let { Instant.parse(it) })

    fun defectSubject(n: JsonNode): DefectSubject = when (val s = n.str("subject")) {
        "configuration_set" -> DefectSubject.ConfigurationSet(configurationSet(n.get("set")))
        "firmware" -> DefectSubject.Firmware(n.str("variant"), n.str("version"))
        else -> error("unknown subject $s")
    }

    // --- typed views back to the scenarios' JSON shape ---
    /** A scenario's query: its actor, and the rest as the core's Query JSON (one entry, no mapping). */
    fun query(engine: Engine, q: JsonNode): JsonNode {
        val rest = (q as ObjectNode).deepCopy().apply { remove("actor") }
        return mapper.readTree(engine.queryJson(q.str("actor"), mapper.writeValueAsString(rest)))
    }

    fun kind(e: CommsHubOtaException): String = when (e) {
        is CommsHubOtaException.InvalidId -> "invalid_id"
        is CommsHubOtaException.InvalidInput -> "invalid_input"
        is CommsHubOtaException.NotPermitted -> "not_permitted"
        is CommsHubOtaException.NotFound -> "not_found"
        is CommsHubOtaException.AlreadyExists -> "already_exists"
        is CommsHubOtaException.IllegalTransition -> "illegal_transition"
        is CommsHubOtaException.PreconditionFailed -> "precondition_failed"
        is CommsHubOtaException.BulkRejected -> "bulk_rejected"
        is CommsHubOtaException.CorruptLog -> "corrupt_log"
        is CommsHubOtaException.UnsupportedSchema -> "unsupported_schema"
        is CommsHubOtaException.Io -> "io"
    }

    fun description(e: CommsHubOtaException): String = when (e) {
        is CommsHubOtaException.InvalidId -> e.description
        is CommsHubOtaException.InvalidInput -> e.description
        is CommsHubOtaException.NotPermitted -> e.description
        is CommsHubOtaException.NotFound -> e.description
        is CommsHubOtaException.AlreadyExists -> e.description
        is CommsHubOtaException.IllegalTransition -> e.description
        is CommsHubOtaException.PreconditionFailed -> e.description
        is CommsHubOtaException.BulkRejected -> e.description
        is CommsHubOtaException.CorruptLog -> e.description
        is CommsHubOtaException.UnsupportedSchema -> e.description
        is CommsHubOtaException.Io -> e.description
    }

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
        """{"schema":${schemaVersion()},"seq":$seq,"at":${mapper.writeValueAsString(at)},"actor":${mapper.writeValueAsString(actor)},"payload":$payload}"""

    fun given(engine: Engine, doc: JsonNode): Engine {
        var current = engine
        doc.get("fixtures")?.forEach { current = given(current, mapper.readTree(testsDir.resolve(it.asText()).toFile())) }
        doc.get("commands")?.forEach { command(current, it.str("actor"), Instant.parse(it.str("at")), it.get("command")) }
        val events = doc.get("events")
        if (events != null && events.size() > 0) {
            // Given events are recorded history: a log of what exists plus them, replayed.
            val lines = current.events(0).map { eventLine(it.seq!!, it.at.toString(), it.actor, it.payloadJson) }.toMutableList()
            var seq = current.lastSeq()
            events.forEach { lines.add(eventLine(++seq, it.str("at"), it.str("actor"), mapper.writeValueAsString(it.get("payload")))) }
            val file = Files.createTempFile("given", ".jsonl")
            Files.write(file, lines)
            current = Engine.replayLog(file.toString())
            Files.delete(file)
        }
        return current
    }

    /** Runs a scenario; returns (steps, problem or null). */
    fun run(doc: JsonNode): Pair<Int, String?> {
        val engine = given(Engine(), doc.get("given") ?: mapper.createObjectNode())
        engine.use {
            val steps = doc.get("steps")
            steps.forEachIndexed { i, step ->
                val then = step.get("then") ?: mapper.createObjectNode()
                val problem: String? = when {
                    step.has("when") -> {
                        val w = step.get("when")
                        val before = engine.lastSeq()
                        try {
                            val events = command(engine, w.str("actor"), Instant.parse(w.str("at")), w.get("command"))
                            val payloads = mapper.createArrayNode().apply { events.forEach { add(mapper.readTree(it.payloadJson)) } }
                            if (then.has("error")) "expected error ${then.get("error")}, got events $payloads"
                            else then.get("events")?.let { matches(it, payloads, "events") }
                        } catch (e: CommsHubOtaException) {
                            checkError(then, e) ?: if (engine.lastSeq() != before) "a refused command recorded events" else null
                        }
                    }
                    step.has("query") -> try { checkValue(then, query(engine, step.get("query"))) } catch (e: CommsHubOtaException) { checkError(then, e) }
                    step.has("parse") -> try {
                        checkValue(then, json.textNode(parseId(step.get("parse").str("kind"), step.get("parse").str("input"))))
                    } catch (e: CommsHubOtaException) { checkError(then, e) }
                    else -> "a step needs when, query or parse"
                }
                if (problem != null) return steps.size() to "step ${i + 1}: $problem"
            }
            val log = Files.createTempFile("scenario", ".jsonl")
            engine.writeLog(log.toString())
            val same = Engine.replayLog(log.toString()).use { it.sameStateAs(engine) }
            Files.delete(log)
            return steps.size() to (if (same) null else "replaying the scenario's events gave another state")
        }
    }
}
