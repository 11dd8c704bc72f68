package commshub.ota

import commshub.ota.model.*
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit

/** Issue 11 through the JVM binding: no crash, no untyped exception, no deadlock, no leak. */
class HardeningTest {
    private val csp = "csp:north"
    private val a = "customer:SUP-A"
    private val d = "customer:SUP-D"

    private fun rolling(policy: CampaignPolicy = CampaignPolicy()): Engine {
        val e = fixture("rollout_estate.json")
        e.execute("dcc", t(1), Command.CreateCampaign(CreateCampaign("C2", "CH-N-DB", "2.0", t(59), policy)))
        e.execute("dcc", t(2), Command.GrantPilotOa(GrantPilotOa("C2")))
        listOf(a, d).forEach { e.execute(it, t(2), Command.ApproveWholeEstate(ApproveWholeEstate("C2"))) }
        return e
    }

    private fun reject(hubs: List<String>, reason: String) = Command.RejectHubs(RejectHubs("C2", hubs, reason))
    private fun report(rows: List<OutcomeReport>) = Command.ReportOutcomes(ReportOutcomes("C2", rows))
    private fun health(rows: List<HealthReport>) = Command.ReportHanHealth(ReportHanHealth("C2", rows))
    private val check = Command.CheckDeadlines(CheckDeadlines())
    private fun inbox(e: Engine, who: String, limit: Long = 100L) = e.ask<Answer.Notifications>(who, Query.Notifications(limit)).v1.notifications
    private fun explain(e: Engine, who: String, n: Int, day: Long) = e.ask<Answer.Explanation>(who, Query.Explain("C2", h(n), t(day))).v1
    private fun configurationSet(e: Engine, n: Int) = e.ask<Answer.Hub>("dcc", Query.Hub(h(n))).v1.configurationSet
    private fun upgradeList(e: Engine, day: Long, limit: Long = 10L) = e.ask<Answer.UpgradePage>(csp, Query.UpgradeList(Region.NORTH, t(day), 0L, limit)).v1

    @Test
    fun `a closed engine as an argument is refused, never read`(): Unit = rolling().use { e ->
        repeat(5) {
            val closed = rolling()
            assertTrue(e.sameStateAs(closed))
            closed.close()
            // Before: a wrong true, then the JVM crashed reading freed memory.
            assertThrows(IllegalStateException::class.java) { e.sameStateAs(closed) }
        }
        // The generated layer underneath: a handle of a closed engine is refused, not read.
        val gone = NativeEngine()
        val handle = gone.stateHandle()
        gone.close()
        NativeEngine().use { other ->
            val refused = assertThrows(commshub.ota.model.NativeException.InvalidInput::class.java) { other.sameStateAsHandle(handle) }
            assertTrue(refused.message!!.contains("closed or never was"), refused.message)
        }
        assertTrue(e.sameStateAs(e))
    }

    @Test
    fun `sameStateAs both ways at once never deadlocks`() {
        val (e1, e2) = rolling() to rolling()
        val pool = Executors.newFixedThreadPool(2)
        val jobs = listOf(e1 to e2, e2 to e1).map { (x, y) -> pool.submit<Boolean> { (1..200).all { x.sameStateAs(y) } } }
        pool.shutdown()
        assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS), "deadlocked")
        assertTrue(jobs.all { it.get() })
        e1.close(); e2.close()
    }

    @Test
    fun `text with a lone surrogate and a null inside a list are typed errors`(): Unit = rolling().use { e ->
        val surrogate = "no \uD800 here"
        val bad = assertThrows(CommsHubOtaException.InvalidInput::class.java) {
            e.execute(a, t(3), reject(listOf(h(0x10)), surrogate))
        }
        assertTrue(bad.reason.contains("surrogate"))
        assertThrows(CommsHubOtaException.InvalidInput::class.java) { e.query("customer:SUP-\uDFFF", Query.Campaign("C2")) }
        // From Java a List<String> may hold a null: typed, not a NullPointerException.
        @Suppress("UNCHECKED_CAST")
        val withNull = listOf<String?>(h(0x10), null) as List<String>
        val nul = assertThrows(CommsHubOtaException.InvalidInput::class.java) {
            e.execute(a, t(3), Command.NominateHubs(NominateHubs("C2", withNull)))
        }
        assertTrue(nul.reason.contains("null"))
        assertEquals(0, inbox(e, a, 10L).count { it.kind is NotificationKind.OtherSupplierConsented })
    }

    @Test
    fun `a policy is bounded on every path`(): Unit = rolling().use { e ->
        for (json in listOf("[]", "{\"max_attempts\": 0}", "{\"cutoff_notice_days\": 100000000}", "7", "null")) {
            assertThrows(CommsHubOtaException.InvalidInput::class.java, { CommsHubOta.campaignPolicyFromJson(json) }, json)
        }
        val fields = listOf(
            CampaignPolicy(minAssessmentDays = 100_000_000) to "policy.min_assessment_days",
            CampaignPolicy(reconciliationTimeoutHours = Int.MAX_VALUE) to "policy.reconciliation_timeout_hours",
            CampaignPolicy(retryDelayHours = -1) to "policy.retry_delay_hours",
            CampaignPolicy(cutoffNoticeDays = 100_000_000) to "policy.cutoff_notice_days",
        )
        for ((policy, field) in fields) {
            val err = assertThrows(CommsHubOtaException.InvalidInput::class.java) {
                e.execute("dcc", t(3), Command.CreateCampaign(CreateCampaign("C9", "CH-N-DB", "2.0", t(60), policy)))
            }
            assertEquals(field, err.field)
        }
        assertEquals(366, CommsHubOta.campaignPolicyFromJson("{\"min_assessment_days\": 366}").minAssessmentDays)
    }

    @Test
    fun `an automatic suspension is the system's act and sequence numbers are the DCC's`(): Unit =
        rolling(CommsHubOta.campaignPolicyFromJson("{\"halt\": {\"failure_threshold_percent\": 60.0, \"min_outcomes\": 2}}")).use { e ->
            val ok = { n: Int -> listOf(Outcome.Dispatched, Outcome.Delivered, Outcome.Activated, Outcome.ReadBack("2.0")).map { OutcomeReport(h(n), it) } }
            e.execute(csp, t(3), report(ok(0x10) + ok(0x16)))
            val lost = HanHealth.DeviceLostContact(HanDeviceKind.IHD)
            e.execute(a, t(4), health(listOf(HealthReport(h(0x10), lost))))
            val events = e.execute(d, t(4), health(listOf(HealthReport(h(0x16), lost))))
            assertEquals(d, events.first().actor)
            assertTrue(events.size > 1)
            assertTrue(events.drop(1).all { it.actor == "system" }, events.toString())
            val history = e.ask<Answer.Campaign>(a, Query.Campaign("C2")).v1.history
            assertEquals(listOf("system"), history.filter { (it.change as? CampaignChange.PhaseChanged)?.to == Phase.SUSPENDED }.map { it.actor })
            assertTrue(history.all { it.seq == null })
            assertTrue(e.ask<Answer.Campaign>("dcc", Query.Campaign("C2")).v1.history.all { it.seq != null })
            assertTrue(inbox(e, a).all { it.event == null })
            assertThrows(CommsHubOtaException.NotPermitted::class.java) { e.execute("system", t(5), check) }
        }

    @Test
    fun `others' configuration sets, flags and regions answer as if they did not exist`(): Unit = rolling().use { e ->
        val setY = configurationSet(e, 0x16) // SUP-D's only
        assertThrows(CommsHubOtaException.NotFound::class.java) {
            e.execute(a, t(3), Command.ApproveConfigurationSets(ApproveConfigurationSets("C2", listOf(setY))))
        }
        e.execute(d, t(3), Command.FlagDefect(FlagDefect(DefectSubject.ConfigurationSet(setY), "in triage", false, true)))
        val flag = e.ask<Answer.DefectFlags>(d, Query.DefectFlags).v1.single().flag
        assertTrue(flag > 1000L, "a digest, not a count")
        assertThrows(CommsHubOtaException.NotFound::class.java) { e.execute(a, t(3), Command.LiftDefectSuspension(LiftDefectSuspension(flag))) }
        assertThrows(CommsHubOtaException.NotFound::class.java) {
            e.execute("csp:south", t(3), report(listOf(OutcomeReport(h(0x10), Outcome.Dispatched))))
        }
        val long = assertThrows(CommsHubOtaException.InvalidInput::class.java) {
            e.execute(a, t(3), reject(listOf(h(0x10)), "x".repeat(5000)))
        }
        assertTrue(long.reason.contains("limit of 4096"))
        assertFalse(e.query(a, Query.Campaigns).toString().contains("SUP-D"))
        assertNull(inbox(e, a, 10L).firstOrNull()?.event)
    }

    // --- issue 11, part 1 ------------------------------------------------------------------

    @Test
    fun `a late report carries when it happened, a later one is refused`(): Unit =
        rolling(CampaignPolicy(pacing = Pacing(dailyCap = 1))).use { e ->
            e.execute(a, t(5), Command.HaltUpgrades(HaltUpgrades("C2", null, "look first")))
            e.execute(a, t(5), Command.ResumeUpgrades(ResumeUpgrades("C2", null)))
            e.execute(csp, t(5), report(listOf(OutcomeReport(h(0x10), Outcome.Dispatched, t(3)))))
            assertEquals(1, upgradeList(e, 5).entries.size, "day 5's cap is free")
            val capped = assertThrows(CommsHubOtaException.BulkRejected::class.java) {
                e.execute(csp, t(5), report(listOf(OutcomeReport(h(0x11), Outcome.Dispatched, t(3)))))
            }
            assertTrue(capped.rows.single().reason.contains("cap of 1"))
            val later = assertThrows(CommsHubOtaException.BulkRejected::class.java) {
                e.execute(csp, t(5), report(listOf(OutcomeReport(h(0x10), Outcome.Delivered, t(6)))))
            }
            assertTrue(later.rows.single().reason.contains("after the report is recorded"))
            // A stamp earlier than the last event is recorded at the last event's time.
            assertTrue(e.execute("dcc", t(1), check).isEmpty())
        }

    @Test
    fun `in-flight hubs time out as the system's act and a retry waits`(): Unit =
        rolling(CampaignPolicy(inFlightTimeoutHours = 24, retryDelayHours = 48)).use { e ->
            e.execute(csp, t(3), report(listOf(OutcomeReport(h(0x10), Outcome.Dispatched))))
            val due = e.execute("dcc", t(4), check)
            assertEquals(listOf("in_flight_timed_out" to "system"), due.map { it.eventType to it.actor })
            val x = explain(e, csp, 0x10, 5)
            assertEquals(listOf<Blocker>(Blocker.RetryDelay(t(6))), x.blockers)
            assertTrue(x.sentences.single().contains("tried again"))
            assertThrows(CommsHubOtaException.BulkRejected::class.java) {
                e.execute(csp, t(5), report(listOf(OutcomeReport(h(0x10), Outcome.Dispatched))))
            }
            e.execute(csp, t(6), report(listOf(OutcomeReport(h(0x10), Outcome.Dispatched))))
        }

    @Test
    fun `explain speaks, gives the cut-off, and says when the cut-off stood in`(): Unit = rolling().use { e ->
        val x = explain(e, a, 0x20, 3)
        assertEquals(listOf<Blocker>(Blocker.AwaitingConsent(SupplyRole.GAS, Party.OtherSupplier, null)), x.blockers)
        assertEquals(listOf("The other supplier has not consented yet as the gas supplier."), x.sentences)
        val mine = explain(e, "customer:SUP-E", 0x20, 3)
        assertEquals(t(59), (mine.blockers.single() as Blocker.AwaitingConsent).cutoff)
        e.execute("dcc", t(3), Command.ExtendCutoff(ExtendCutoff("C2", "SUP-E", t(70))))
        assertTrue(inbox(e, "customer:SUP-E", 10L).any { it.kind is NotificationKind.CutoffExtended })
        val after = explain(e, a, 0x20, 71)
        assertTrue(after.upgradeable)
        assertEquals(listOf(SupplyRole.GAS), after.takenOverAtCutoff)
    }

    @Test
    fun `CSP entries carry the configuration set and refusals are typed`(): Unit = rolling().use { e ->
        val first = upgradeList(e, 3).entries.first()
        assertEquals(e.ask<Answer.Hub>("dcc", Query.Hub(first.hub)).v1.configurationSet, first.configurationSet)
        val events = e.execute(a, t(3), reject(listOf(h(0x10), h(0x16)), "access"))
        assertEquals(listOf(HubRefusal(h(0x16), "not one of your hubs")), events.single().refused)
    }

    @Test
    fun `a bulk refusal of many rows keeps its message short and every row in its field`(): Unit = rolling().use { e ->
        val rows = (0 until 100_000).map { OutcomeReport("00-00-00-00-%02X-%02X-%02X-01".format(it shr 16, (it shr 8) and 255, it and 255), Outcome.Delivered) }
        val err = assertThrows(CommsHubOtaException.BulkRejected::class.java) { e.execute(csp, t(3), report(rows)) }
        assertEquals(100_000, err.rows.size)
        assertTrue(err.message!!.length < 500, "message of ${err.message!!.length} chars")
        val nf = assertThrows(CommsHubOtaException.NotFound::class.java) { e.query(a, Query.Campaign("C404")) }
        assertEquals("campaign \"C404\" not found", nf.message)
    }

    @Test
    fun `a party's answer carries no sequence number, the host's journal does`(): Unit = rolling().use { e ->
        assertEquals(listOf<Long?>(null), e.execute(a, t(3), reject(listOf(h(0x11)), "access")).map { it.seq })
        val suspended = e.execute("dcc", t(3), Command.SuspendCampaign(SuspendCampaign("C2", "pause"))).single()
        assertEquals(e.lastSeq(), suspended.seq)
        assertEquals(listOf<Long?>(e.lastSeq() - 1, e.lastSeq()), e.events(e.lastSeq() - 2).map { it.seq })
    }

    @Test
    fun `replay refuses an event its recorded actor could not have produced`(): Unit = rolling().use { e ->
        val log = Scratch.file("honest", ".jsonl")
        e.writeLog(log.toString())
        val mapper = Conformance.mapper
        // Without the audit chain (as a log written by hand), so that the actor check refuses.
        val lines = java.nio.file.Files.readAllLines(log).dropLast(1)
            .map { (mapper.readTree(it) as com.fasterxml.jackson.databind.node.ObjectNode).apply { remove("hash") } }
        val pilot = lines.first { it.get("payload").get("type").asText() == "campaign_phase_changed" }
        pilot.put("actor", "customer:SUP-A") // a customer granting pilot OA
        val forged = Scratch.file("forged", ".jsonl")
        java.nio.file.Files.write(forged, lines.map { mapper.writeValueAsString(it) })
        val err = assertThrows(CommsHubOtaException.CorruptLog::class.java) { Engine.replayLog(forged.toString()) }
        assertEquals(pilot.get("seq").asLong(), err.line)
        Engine.replayLog(log.toString()).use { assertTrue(it.sameStateAs(e)) }
        java.nio.file.Files.delete(log); java.nio.file.Files.delete(forged)
    }

    @Test
    fun `a written log cut at a line boundary or changed is refused`(): Unit = rolling().use { e ->
        val log = Scratch.file("chained", ".jsonl")
        e.writeLog(log.toString())
        val lines = java.nio.file.Files.readAllLines(log)
        java.nio.file.Files.write(log, lines.dropLast(2)) // the last event and the closing line gone
        val cut = assertThrows(CommsHubOtaException.CorruptLog::class.java) { Engine.replayLog(log.toString()) }
        assertEquals((lines.size - 1).toLong(), cut.line)
        java.nio.file.Files.write(log, listOf(lines[0].replace("Acme", "Acne")) + lines.drop(1))
        val changed = assertThrows(CommsHubOtaException.CorruptLog::class.java) { Engine.replayLog(log.toString()) }
        assertEquals(1L, changed.line)
        assertThrows(CommsHubOtaException.CorruptLog::class.java) { CommsHubOta.verifyLog(log.toString()) }
        java.nio.file.Files.write(log, lines)
        val verified = CommsHubOta.verifyLog(log.toString()) as Verified.Chained
        assertEquals(e.lastSeq().toLong(), verified.events)
        assertEquals(64, verified.lastHash.length)
        assertThrows(CommsHubOtaException.Io::class.java) { CommsHubOta.verifyLog(log.toString() + ".missing") }
        java.nio.file.Files.delete(log)
    }

    @Test
    fun `replaying dev zero is a corrupt log at once, not an out-of-memory abort`() {
        val err = assertThrows(CommsHubOtaException.CorruptLog::class.java) { Engine.replayLog("/dev/zero") }
        assertTrue(err.reason.contains("JSON"), err.reason)
    }

    @Test
    fun `any query as data answers as its typed method`(): Unit = rolling().use { e ->
        val mapper = Conformance.mapper
        val answer = mapper.readTree(e.queryJson(a, """{"name":"explain","campaign":"C2","hub":"${h(0x20)}","at":"${t(3)}"}"""))
        val typed = explain(e, a, 0x20, 3)
        assertEquals(typed.upgradeable, answer.get("upgradeable").asBoolean())
        assertEquals(typed.sentences, answer.get("sentences").map { it.asText() })
        val list = mapper.readTree(e.queryJson(csp, """{"name":"upgrade_list","region":"north","at":"${t(3)}"}"""))
        assertEquals(upgradeList(e, 3, 1000L).total.toLong(), list.get("total").asLong())
        for (bad in listOf("""{"name":"teleport"}""", """{"name":"hub"}""", "[]", "not json")) {
            assertThrows(CommsHubOtaException.InvalidInput::class.java, { e.queryJson("dcc", bad) }, bad)
        }
        assertThrows(CommsHubOtaException.NotFound::class.java) { e.queryJson(d, """{"name":"hub","hub":"${h(0x10)}"}""") }
    }

    @Test
    fun `a configuration set's device strings are bounded`(): Unit = rolling().use { e ->
        val set = configurationSet(e, 0x10)
        val huge = set.copy(devices = set.devices.copy(esme = set.devices.esme?.copy(model = "M".repeat(300))))
        val err = assertThrows(CommsHubOtaException.InvalidInput::class.java) {
            e.execute(a, t(3), Command.ApproveConfigurationSets(ApproveConfigurationSets("C2", listOf(huge))))
        }
        assertTrue(err.reason.contains("limit of 256"), err.reason)
    }

    @Test
    fun `replay refuses an acknowledgement no command could record`() {
        val log = Scratch.dir("replay-bounds").resolve("ack.jsonl")
        Conformance.given(Engine(), Conformance.mapper.readTree(Conformance.testsDir.resolve("fixtures/rollout_estate.json").toFile())).use { e ->
            val lines = e.journalLines(0).toMutableList()
            val last = Conformance.mapper.readTree(lines.last())
            val seq = last.get("seq").asLong() + 1
            lines.add("""{"schema":${last.get("schema")},"seq":$seq,"at":${last.get("at")},"actor":"customer:SUP-A","payload":{"type":"notifications_acknowledged","recipient":"customer:SUP-A","up_to":9223372036854775807}}""")
            java.nio.file.Files.write(log, lines)
        }
        val err = assertThrows(CommsHubOtaException.CorruptLog::class.java) { Engine.replayLog(log.toString()) }
        assertTrue(err.reason.contains("acknowledges"), err.reason)
    }
}
