package commshub.ota

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.time.Duration
import java.time.Instant

/** Outcomes, health, halts, pacing, defect flags, notifications and status views (issue 5). */
class RolloutTest {
    private val t0: Instant = Instant.parse("2026-01-01T09:00:00Z")
    private fun t(day: Long, hour: Long = 9): Instant = t0.plus(Duration.ofDays(day)).plus(Duration.ofHours(hour - 9))
    private fun h(n: Int) = "00-00-00-00-00-00-00-%02X".format(n)
    private val csp = "csp:north"
    private val a = "customer:SUP-A"
    private val d = "customer:SUP-D"
    private val e5 = "customer:SUP-E"

    private fun rolling(policy: CampaignPolicy): Engine {
        val e = Conformance.given(Engine(), Conformance.mapper.readTree(Conformance.testsDir.resolve("fixtures/rollout_estate.json").toFile()))
        e.createCampaign("dcc", t(1), "C2", "CH-N-DB", "2.0", t(59), policy)
        e.grantPilotOa("dcc", t(2), "C2")
        listOf(a, d).forEach { e.approveWholeEstate(it, t(2), "C2") }
        return e
    }

    private fun ok(n: Int) = listOf(Outcome.Dispatched, Outcome.Delivered, Outcome.Activated, Outcome.ReadBack("2.0")).map { OutcomeReport(h(n), it) }
    private fun fail(n: Int) = listOf(OutcomeReport(h(n), Outcome.Dispatched), OutcomeReport(h(n), Outcome.DeliveryFailed("no ack")))
    private fun setOf(e: Engine, n: Int) = e.hub("dcc", h(n)).configurationSet

    @Test
    fun `outcomes are a forward-only state machine and a read-back sets the firmware`(): Unit = rolling(CampaignPolicy()).use { e ->
        e.reportOutcomes(csp, t(3), "C2", ok(0x10).take(3))
        assertEquals("1.1", e.hub("dcc", h(0x10)).firmware)
        assertEquals(listOf(Blocker.UpgradeInFlight(UpgradeState.ACTIVATED)), e.explain("dcc", "C2", h(0x10), t(3)).blockers)
        e.reportOutcomes(csp, t(3), "C2", ok(0x10).drop(3))
        assertEquals("2.0", e.hub("dcc", h(0x10)).firmware)
        val bad = assertThrows(CommsHubOtaException.BulkRejected::class.java) {
            e.reportOutcomes(csp, t(3), "C2", listOf(OutcomeReport(h(0x11), Outcome.Delivered), OutcomeReport(h(0x12), Outcome.Activated)))
        }
        assertEquals(listOf(0L, 1L), bad.rows.map { it.row })
        assertTrue(bad.rows[0].reason.contains("never dispatched"))
        assertThrows(CommsHubOtaException.NotPermitted::class.java) { e.reportOutcomes(a, t(3), "C2", ok(0x11)) }
        // To another region's CSP the campaign does not exist.
        assertThrows(CommsHubOtaException.NotFound::class.java) { e.reportOutcomes("csp:south", t(3), "C2", ok(0x11)) }
        assertThrows(CommsHubOtaException.NotFound::class.java) { e.reportOutcomes(csp, t(3), "C9", ok(0x11)) }
        assertThrows(CommsHubOtaException.InvalidId::class.java) { e.reportOutcomes(csp, t(3), "C2", listOf(OutcomeReport("x", Outcome.Dispatched))) }
        assertThrows(CommsHubOtaException.InvalidInput::class.java) { e.reportOutcomes(csp, t(3), "C2", emptyList()) }
    }

    @Test
    fun `an unanswered hub times out at the deadline`(): Unit = rolling(CampaignPolicy(reconciliationTimeoutHours = 24)).use { e ->
        e.reportOutcomes(csp, t(3), "C2", listOf(OutcomeReport(h(0x11), Outcome.Dispatched), OutcomeReport(h(0x11), Outcome.NoResponse)))
        assertEquals(emptyList<Event>(), e.checkDeadlines("dcc", t(3, 18)))
        assertEquals("reconciliation_timed_out", e.checkDeadlines("dcc", t(4)).single().eventType)
        assertThrows(CommsHubOtaException.NotPermitted::class.java) { e.checkDeadlines(a, t(4)) }
        val summary = e.notifications(a, 100).notifications.map { it.kind }.filterIsInstance<NotificationKind.OutcomesSummary>().last()
        assertEquals(1L, summary.timedOut)
    }

    @Test
    fun `a set over the threshold halts alone and only the DCC resumes it`(): Unit =
        rolling(CampaignPolicy(halt = HaltPolicy(50.0, 3))).use { e ->
            val events = e.reportOutcomes(csp, t(3), "C2", fail(0x10) + fail(0x11) + ok(0x12) + ok(0x16))
            assertEquals(listOf("outcomes_reported", "configuration_set_halted"), events.map { it.eventType })
            val halted = e.notifications("dcc", 100).notifications.map { it.kind }.filterIsInstance<NotificationKind.ConfigurationSetHalted>().single()
            assertEquals(2L, halted.figures?.failures)
            val x = setOf(e, 0x13)
            assertThrows(CommsHubOtaException.NotPermitted::class.java) { e.resumeUpgrades(csp, t(4), "C2", x) }
            assertThrows(CommsHubOtaException.PreconditionFailed::class.java) { e.resumeUpgrades(a, t(4), "C2", x) }
            e.resumeUpgrades("dcc", t(4), "C2", x)
            assertTrue(e.explain(csp, "C2", h(0x13), t(4)).upgradeable)
            assertThrows(CommsHubOtaException.InvalidInput::class.java) {
                e.createCampaign("dcc", t(4), "C3", "CH-N-DB", "2.0", t(59), CampaignPolicy(halt = HaltPolicy(150.0, 3)))
            }
            assertThrows(CommsHubOtaException.InvalidInput::class.java) { campaignPolicyFromJson("""{"max_attempts": "three"}""") }
            assertEquals(5L, campaignPolicyFromJson("""{"max_attempts": 5}""").maxAttempts)
        }

    @Test
    fun `holds, health reports and the status views`(): Unit = rolling(CampaignPolicy()).use { e ->
        e.haltUpgrades(a, t(3), "C2", null, "our own checks")
        assertTrue(e.explain(e5, "C2", h(0x20), t(3)).blockers.contains(Blocker.HeldBySupplier(Party.OtherSupplier, null)))
        assertThrows(CommsHubOtaException.InvalidInput::class.java) { e.haltUpgrades("dcc", t(3), "C2", null, "no set") }
        e.resumeUpgrades(a, t(3), "C2", null)
        e.reportOutcomes(csp, t(3), "C2", ok(0x10) + fail(0x11))
        e.reportHanHealth(a, t(4), "C2", listOf(HealthReport(h(0x10), HanHealth.DeviceLostContact(HanDeviceKind.IHD))))
        assertThrows(CommsHubOtaException.BulkRejected::class.java) { e.reportHanHealth(d, t(4), "C2", listOf(HealthReport(h(0x10), HanHealth.AllFine))) }
        val issue = e.notifications(csp, 100).notifications.map { it.kind }.filterIsInstance<NotificationKind.HanHealthIssue>().single()
        assertNull(issue.customer)
        val status = e.pilotStatus("dcc", "C2")
        assertEquals(Triple(1L, 1L, 1L), Triple(status.total.succeeded, status.total.failed, status.total.healthIssues))
        assertEquals(listOf("SUP-A"), status.rows.map { it.customer })
        assertNull(e.pilotStatus(csp, "C2").rows.single().customer)
        val x = e.campaignProgress("dcc", "C2", t(4)).first { it.set == setOf(e, 0x12) }
        assertEquals(x.upgradeableNow + x.awaitingConsent + x.blocked, x.eligible)
        assertEquals(Pair(1L, 1L), Pair(x.succeeded, x.failed))
        assertTrue(e.estateByFirmware(a, "SUP-A").contains(FirmwareCount("CH-N-DB", "2.0", 1)))
        assertThrows(CommsHubOtaException.NotPermitted::class.java) { e.estateByFirmware(a, null) }
    }

    @Test
    fun `defect flags, pacing and acknowledgements`(): Unit = rolling(
        CampaignPolicy(pacing = Pacing(2, 2.0, listOf(Blackout.Weekly(Weekday.SUNDAY, 0, 24), Blackout.Dates("2026-02-01", "2026-02-02")))),
    ).use { e ->
        assertEquals(0L, e.upgradeList(csp, Region.NORTH, t(3), 0, 100).total)
        val page = e.upgradeList(csp, Region.NORTH, t(4), 0, 100)
        assertEquals(Pair(2L, 9L), Pair(page.total, page.heldBackByPacing))
        e.flagDefect(a, t(4), DefectSubject.ConfigurationSet(setOf(e, 0x10)), "IHD pairing", false, true)
        val flag = e.defectFlags(d).single()
        assertNull(flag.flaggedBy)
        assertEquals(emptyList<DefectView>(), e.defectFlags(e5))
        // Another's flag answers exactly as one that does not exist; ids are digests, not counts.
        assertTrue(flag.flag > 1000L)
        assertThrows(CommsHubOtaException.NotFound::class.java) { e.liftDefectSuspension(d, t(4), flag.flag) }
        assertThrows(CommsHubOtaException.NotFound::class.java) { e.liftDefectSuspension(a, t(4), flag.flag + 1) }
        e.liftDefectSuspension(a, t(4), flag.flag)
        val inbox = e.notifications(d, 100).notifications
        assertTrue(inbox[1].kind is NotificationKind.DefectFlagged)
        e.acknowledgeNotifications(d, t(4), inbox[0].id)
        assertEquals(1, e.notifications(d, 100).notifications.size)
        assertThrows(CommsHubOtaException.PreconditionFailed::class.java) { e.acknowledgeNotifications(d, t(4), 1) }
        assertThrows(CommsHubOtaException.InvalidInput::class.java) { e.acknowledgeNotifications(d, t(4), 99) }
        assertThrows(CommsHubOtaException.InvalidInput::class.java) { e.notifications(d, 0) }
    }
}
