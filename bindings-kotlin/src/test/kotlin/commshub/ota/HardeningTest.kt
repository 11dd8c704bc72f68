package commshub.ota

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.time.Duration
import java.time.Instant
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit

/** Issue 11 through the JVM binding: no crash, no untyped exception, no deadlock, no leak. */
class HardeningTest {
    private val t0: Instant = Instant.parse("2026-01-01T09:00:00Z")
    private fun t(day: Long): Instant = t0.plus(Duration.ofDays(day))
    private fun h(n: Int) = "00-00-00-00-00-00-00-%02X".format(n)
    private val csp = "csp:north"
    private val a = "customer:SUP-A"
    private val d = "customer:SUP-D"

    private fun rolling(policy: CampaignPolicy = CampaignPolicy()): Engine {
        val e = Conformance.given(Engine(), Conformance.mapper.readTree(Conformance.testsDir.resolve("fixtures/rollout_estate.json").toFile()))
        e.createCampaign("dcc", t(1), "C2", "CH-N-DB", "2.0", t(59), policy)
        e.grantPilotOa("dcc", t(2), "C2")
        listOf(a, d).forEach { e.approveWholeEstate(it, t(2), "C2") }
        return e
    }

    @Test
    fun `a closed engine as an argument is refused, never read`(): Unit = rolling().use { e ->
        repeat(5) {
            val closed = rolling()
            assertTrue(e.sameStateAs(closed))
            closed.close()
            // Before: a wrong true, then the JVM crashed reading freed memory.
            assertThrows(IllegalStateException::class.java) { e.sameStateAs(closed) }
        }
        val gone = rolling()
        val handle = gone.stateHandle()
        gone.close()
        assertThrows(CommsHubOtaException.NotFound::class.java) { e.sameStateAsHandle(handle) }
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
            e.rejectHubs(a, t(3), "C2", listOf(h(0x10)), surrogate)
        }
        assertTrue(bad.reason.contains("surrogate"))
        assertThrows(CommsHubOtaException.InvalidInput::class.java) { e.campaign("customer:SUP-\uDFFF", "C2") }
        // From Java a List<String> may hold a null: typed, not a NullPointerException.
        @Suppress("UNCHECKED_CAST")
        val withNull = listOf<String?>(h(0x10), null) as List<String>
        val nul = assertThrows(CommsHubOtaException.InvalidInput::class.java) { e.nominateHubs(a, t(3), "C2", withNull) }
        assertTrue(nul.reason.contains("null"))
        assertEquals(0, e.notifications(a, 10).notifications.count { it.kind is NotificationKind.OtherSupplierConsented })
    }

    @Test
    fun `a policy is bounded on every path`(): Unit = rolling().use { e ->
        for (json in listOf("[]", "{\"max_attempts\": 0}", "{\"cutoff_notice_days\": 100000000}", "7", "null")) {
            assertThrows(CommsHubOtaException.InvalidInput::class.java, { campaignPolicyFromJson(json) }, json)
        }
        val fields = listOf(
            CampaignPolicy(minAssessmentDays = 100_000_000) to "policy.min_assessment_days",
            CampaignPolicy(reconciliationTimeoutHours = 2_300_000_000) to "policy.reconciliation_timeout_hours",
            CampaignPolicy(cutoffNoticeDays = 100_000_000) to "policy.cutoff_notice_days",
        )
        for ((policy, field) in fields) {
            val err = assertThrows(CommsHubOtaException.InvalidInput::class.java) {
                e.createCampaign("dcc", t(3), "C9", "CH-N-DB", "2.0", t(60), policy)
            }
            assertEquals(field, err.field)
        }
        assertEquals(366L, campaignPolicyFromJson("{\"min_assessment_days\": 366}").minAssessmentDays)
    }

    @Test
    fun `an automatic suspension is the system's act and sequence numbers are the DCC's`(): Unit =
        rolling(campaignPolicyFromJson("{\"halt\": {\"failure_threshold_percent\": 60.0, \"min_outcomes\": 2}}")).use { e ->
            val ok = { n: Int -> listOf(Outcome.Dispatched, Outcome.Delivered, Outcome.Activated, Outcome.ReadBack("2.0")).map { OutcomeReport(h(n), it) } }
            e.reportOutcomes(csp, t(3), "C2", ok(0x10) + ok(0x16))
            val lost = HanHealth.DeviceLostContact(HanDeviceKind.IHD)
            e.reportHanHealth(a, t(4), "C2", listOf(HealthReport(h(0x10), lost)))
            val events = e.reportHanHealth(d, t(4), "C2", listOf(HealthReport(h(0x16), lost)))
            assertEquals(d, events.first().actor)
            assertTrue(events.size > 1)
            assertTrue(events.drop(1).all { it.actor == "system" }, events.toString())
            val history = e.campaign(a, "C2").history
            assertEquals(listOf("system"), history.filter { it.toPhase == Phase.SUSPENDED }.map { it.actor })
            assertTrue(history.all { it.seq == null })
            assertTrue(e.campaign("dcc", "C2").history.all { it.seq != null })
            assertTrue(e.notifications(a, 100).notifications.all { it.event == null })
            assertThrows(CommsHubOtaException.NotPermitted::class.java) { e.checkDeadlines("system", t(5)) }
        }

    @Test
    fun `others' configuration sets, flags and regions answer as if they did not exist`(): Unit = rolling().use { e ->
        val setY = e.hub("dcc", h(0x16)).configurationSet // SUP-D's only
        assertThrows(CommsHubOtaException.NotFound::class.java) { e.approveConfigurationSets(a, t(3), "C2", listOf(setY)) }
        e.flagDefect(d, t(3), DefectSubject.ConfigurationSet(setY), "in triage", false, true)
        val flag = e.defectFlags(d).single().flag
        assertTrue(flag > 1000L, "a digest, not a count")
        assertThrows(CommsHubOtaException.NotFound::class.java) { e.liftDefectSuspension(a, t(3), flag) }
        assertThrows(CommsHubOtaException.NotFound::class.java) {
            e.reportOutcomes("csp:south", t(3), "C2", listOf(OutcomeReport(h(0x10), Outcome.Dispatched)))
        }
        val long = assertThrows(CommsHubOtaException.InvalidInput::class.java) {
            e.rejectHubs(a, t(3), "C2", listOf(h(0x10)), "x".repeat(5000))
        }
        assertTrue(long.reason.contains("limit of 4096"))
        assertFalse(e.campaigns(a).toString().contains("SUP-D"))
        assertNull(e.notifications(a, 10).notifications.firstOrNull()?.event)
    }

    // --- issue 11, part 1 ------------------------------------------------------------------

    @Test
    fun `a late report carries when it happened, a later one is refused`(): Unit =
        rolling(CampaignPolicy(pacing = Pacing(dailyCap = 1L))).use { e ->
            e.haltUpgrades(a, t(5), "C2", null, "look first")
            e.resumeUpgrades(a, t(5), "C2", null)
            e.reportOutcomes(csp, t(5), "C2", listOf(OutcomeReport(h(0x10), Outcome.Dispatched, t(3))))
            assertEquals(1, e.upgradeList(csp, Region.NORTH, t(5), 0, 10).entries.size, "day 5's cap is free")
            val capped = assertThrows(CommsHubOtaException.BulkRejected::class.java) {
                e.reportOutcomes(csp, t(5), "C2", listOf(OutcomeReport(h(0x11), Outcome.Dispatched, t(3))))
            }
            assertTrue(capped.rows.single().reason.contains("cap of 1"))
            val later = assertThrows(CommsHubOtaException.BulkRejected::class.java) {
                e.reportOutcomes(csp, t(5), "C2", listOf(OutcomeReport(h(0x10), Outcome.Delivered, t(6))))
            }
            assertTrue(later.rows.single().reason.contains("after the report is recorded"))
            // A stamp earlier than the last event is recorded at the last event's time.
            assertTrue(e.checkDeadlines("dcc", t(1)).isEmpty())
        }

    @Test
    fun `in-flight hubs time out as the system's act and a retry waits`(): Unit =
        rolling(CampaignPolicy(inFlightTimeoutHours = 24, retryDelayHours = 48)).use { e ->
            e.reportOutcomes(csp, t(3), "C2", listOf(OutcomeReport(h(0x10), Outcome.Dispatched)))
            val due = e.checkDeadlines("dcc", t(4))
            assertEquals(listOf("in_flight_timed_out" to "system"), due.map { it.eventType to it.actor })
            val x = e.explain(csp, "C2", h(0x10), t(5))
            assertEquals(listOf<Blocker>(Blocker.RetryDelay(t(6))), x.blockers)
            assertTrue(x.sentences.single().contains("tried again"))
            assertThrows(CommsHubOtaException.BulkRejected::class.java) {
                e.reportOutcomes(csp, t(5), "C2", listOf(OutcomeReport(h(0x10), Outcome.Dispatched)))
            }
            e.reportOutcomes(csp, t(6), "C2", listOf(OutcomeReport(h(0x10), Outcome.Dispatched)))
        }

    @Test
    fun `explain speaks, gives the cut-off, and says when the cut-off stood in`(): Unit = rolling().use { e ->
        val x = e.explain(a, "C2", h(0x20), t(3))
        assertEquals(listOf<Blocker>(Blocker.AwaitingConsent(SupplyRole.GAS, Party.OtherSupplier, null)), x.blockers)
        assertEquals(listOf("The other supplier has not consented yet as the gas supplier."), x.sentences)
        val mine = e.explain("customer:SUP-E", "C2", h(0x20), t(3))
        assertEquals(t(59), (mine.blockers.single() as Blocker.AwaitingConsent).cutoff)
        e.extendCutoff("dcc", t(3), "C2", "SUP-E", t(70))
        assertTrue(e.notifications("customer:SUP-E", 10).notifications.any { it.kind is NotificationKind.CutoffExtended })
        val after = e.explain(a, "C2", h(0x20), t(71))
        assertTrue(after.upgradeable)
        assertEquals(listOf(SupplyRole.GAS), after.takenOverAtCutoff)
    }

    @Test
    fun `CSP entries carry the configuration set and refusals are typed`(): Unit = rolling().use { e ->
        val first = e.upgradeList(csp, Region.NORTH, t(3), 0, 10).entries.first()
        assertEquals(e.hub("dcc", first.hub).configurationSet, first.configurationSet)
        val events = e.rejectHubs(a, t(3), "C2", listOf(h(0x10), h(0x16)), "access")
        assertEquals(listOf(HubRefusal(h(0x16), "not one of your hubs")), events.single().refused)
    }

    @Test
    fun `a bulk refusal of many rows keeps its message short and every row in its field`(): Unit = rolling().use { e ->
        val rows = (0 until 100_000).map { OutcomeReport("00-00-00-00-%02X-%02X-%02X-01".format(it shr 16, (it shr 8) and 255, it and 255), Outcome.Delivered) }
        val err = assertThrows(CommsHubOtaException.BulkRejected::class.java) { e.reportOutcomes(csp, t(3), "C2", rows) }
        assertEquals(100_000, err.rows.size)
        assertTrue(err.message!!.length < 500, "message of ${err.message!!.length} chars")
        assertEquals(err.description, err.message)
        val nf = assertThrows(CommsHubOtaException.NotFound::class.java) { e.campaign(a, "C404") }
        assertEquals(nf.description, nf.message)
    }

    @Test
    fun `a party's answer carries no sequence number, the host's journal does`(): Unit = rolling().use { e ->
        assertEquals(listOf<Long?>(null), e.rejectHubs(a, t(3), "C2", listOf(h(0x11)), "access").map { it.seq })
        val suspended = e.suspendCampaign("dcc", t(3), "C2", "pause").single()
        assertEquals(e.lastSeq(), suspended.seq)
        assertEquals(listOf<Long?>(e.lastSeq() - 1, e.lastSeq()), e.events(e.lastSeq() - 2).map { it.seq })
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
        val typed = e.explain(a, "C2", h(0x20), t(3))
        assertEquals(typed.upgradeable, answer.get("upgradeable").asBoolean())
        assertEquals(typed.sentences, answer.get("sentences").map { it.asText() })
        val list = mapper.readTree(e.queryJson(csp, """{"name":"upgrade_list","region":"north","at":"${t(3)}"}"""))
        assertEquals(e.upgradeList(csp, Region.NORTH, t(3), 0, 1000).total, list.get("total").asLong())
        for (bad in listOf("""{"name":"teleport"}""", """{"name":"hub"}""", "[]", "not json")) {
            assertThrows(CommsHubOtaException.InvalidInput::class.java, { e.queryJson("dcc", bad) }, bad)
        }
        assertThrows(CommsHubOtaException.NotFound::class.java) { e.queryJson(d, """{"name":"hub","hub":"${h(0x10)}"}""") }
    }

    @Test
    fun `a configuration set's device strings are bounded`(): Unit = rolling().use { e ->
        val set = e.hub("dcc", h(0x10)).configurationSet
        val huge = set.copy(devices = set.devices.map { if (it.kind == HanDeviceKind.ESME) it.copy(model = "M".repeat(300)) else it })
        val err = assertThrows(CommsHubOtaException.InvalidInput::class.java) { e.approveConfigurationSets(a, t(3), "C2", listOf(huge)) }
        assertTrue(err.reason.contains("limit of 256"), err.reason)
    }
}

