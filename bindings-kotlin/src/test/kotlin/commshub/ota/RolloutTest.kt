package commshub.ota

import commshub.ota.model.*
import java.time.LocalDate
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/** Outcomes, health, halts, pacing, defect flags, notifications and status views. */
class RolloutTest {
    private val csp = "csp:north"
    private val a = "customer:SUP-A"
    private val d = "customer:SUP-D"
    private val e5 = "customer:SUP-E"

    private fun rolling(policy: CampaignPolicy): Engine {
        val e = fixture("rollout_estate.json")
        e.execute("dcc", t(1), Command.CreateCampaign(CreateCampaign("C2", "CH-N-DB", "2.0", t(59), policy)))
        e.execute("dcc", t(2), Command.GrantPilotOa(GrantPilotOa("C2")))
        listOf(a, d).forEach { e.execute(it, t(2), Command.ApproveWholeEstate(ApproveWholeEstate("C2"))) }
        return e
    }

    private fun ok(n: Int) = listOf(Outcome.Dispatched, Outcome.Delivered, Outcome.Activated, Outcome.ReadBack("2.0")).map { OutcomeReport(h(n), it) }
    private fun fail(n: Int) = listOf(OutcomeReport(h(n), Outcome.Dispatched), OutcomeReport(h(n), Outcome.DeliveryFailed("no ack")))
    private fun report(rows: List<OutcomeReport>) = Command.ReportOutcomes(ReportOutcomes("C2", rows))
    private fun setOf(e: Engine, n: Int) = e.ask<Answer.Hub>("dcc", Query.Hub(h(n))).v1.configurationSet
    private fun inbox(e: Engine, who: String) = e.ask<Answer.Notifications>(who, Query.Notifications(100L)).v1.notifications
    private fun explain(e: Engine, who: String, n: Int, day: Long) = e.ask<Answer.Explanation>(who, Query.Explain("C2", h(n), t(day))).v1
    private fun firmware(e: Engine, n: Int) = e.ask<Answer.Hub>("dcc", Query.Hub(h(n))).v1.firmware

    @Test
    fun `outcomes are a forward-only state machine and a read-back sets the firmware`(): Unit = rolling(CampaignPolicy()).use { e ->
        e.execute(csp, t(3), report(ok(0x10).take(3)))
        assertEquals("1.1", firmware(e, 0x10))
        assertEquals(listOf<Blocker>(Blocker.UpgradeInFlight(UpgradeState.ACTIVATED)), explain(e, "dcc", 0x10, 3).blockers)
        e.execute(csp, t(3), report(ok(0x10).drop(3)))
        assertEquals("2.0", firmware(e, 0x10))
        val bad = assertThrows(CommsHubOtaException.BulkRejected::class.java) {
            e.execute(csp, t(3), report(listOf(OutcomeReport(h(0x11), Outcome.Delivered), OutcomeReport(h(0x12), Outcome.Activated))))
        }
        assertEquals(listOf(0L, 1L), bad.rows.map { it.row })
        assertTrue(bad.rows[0].reason.contains("never dispatched"))
        assertThrows(CommsHubOtaException.NotPermitted::class.java) { e.execute(a, t(3), report(ok(0x11))) }
        // To another region's CSP the campaign does not exist.
        assertThrows(CommsHubOtaException.NotFound::class.java) { e.execute("csp:south", t(3), report(ok(0x11))) }
        assertThrows(CommsHubOtaException.NotFound::class.java) { e.execute(csp, t(3), Command.ReportOutcomes(ReportOutcomes("C9", ok(0x11)))) }
        assertThrows(CommsHubOtaException.InvalidId::class.java) { e.execute(csp, t(3), report(listOf(OutcomeReport("x", Outcome.Dispatched)))) }
        assertThrows(CommsHubOtaException.InvalidInput::class.java) { e.execute(csp, t(3), report(emptyList())) }
    }

    @Test
    fun `an unanswered hub times out at the deadline`(): Unit = rolling(CampaignPolicy(reconciliationTimeoutHours = 24)).use { e ->
        e.execute(csp, t(3), report(listOf(OutcomeReport(h(0x11), Outcome.Dispatched), OutcomeReport(h(0x11), Outcome.NoResponse))))
        val check = Command.CheckDeadlines(CheckDeadlines())
        assertEquals(emptyList<Recorded>(), e.execute("dcc", t(3, 18), check))
        assertEquals("reconciliation_timed_out", e.execute("dcc", t(4), check).single().eventType)
        assertThrows(CommsHubOtaException.NotPermitted::class.java) { e.execute(a, t(4), check) }
        val summary = inbox(e, a).map { it.kind }.filterIsInstance<NotificationKind.OutcomesSummary>().last()
        assertEquals(1L, summary.timedOut)
    }

    @Test
    fun `a set over the threshold halts alone and only the DCC resumes it`(): Unit =
        rolling(CampaignPolicy(halt = HaltPolicy(50.0, 3))).use { e ->
            val events = e.execute(csp, t(3), report(fail(0x10) + fail(0x11) + ok(0x12) + ok(0x16)))
            assertEquals(listOf("outcomes_reported", "configuration_set_halted"), events.map { it.eventType })
            val halted = inbox(e, "dcc").map { it.kind }.filterIsInstance<NotificationKind.ConfigurationSetHalted>().single()
            assertEquals(2L, halted.figures?.failures)
            val resume = Command.ResumeUpgrades(ResumeUpgrades("C2", setOf(e, 0x13)))
            assertThrows(CommsHubOtaException.NotPermitted::class.java) { e.execute(csp, t(4), resume) }
            assertThrows(CommsHubOtaException.PreconditionFailed::class.java) { e.execute(a, t(4), resume) }
            e.execute("dcc", t(4), resume)
            assertTrue(explain(e, csp, 0x13, 4).upgradeable)
            assertThrows(CommsHubOtaException.InvalidInput::class.java) {
                e.execute("dcc", t(4), Command.CreateCampaign(CreateCampaign("C3", "CH-N-DB", "2.0", t(59), CampaignPolicy(halt = HaltPolicy(150.0, 3)))))
            }
            assertThrows(CommsHubOtaException.InvalidInput::class.java) { CommsHubOta.campaignPolicyFromJson("""{"max_attempts": "three"}""") }
            assertEquals(5, CommsHubOta.campaignPolicyFromJson("""{"max_attempts": 5}""").maxAttempts)
        }

    @Test
    fun `holds, health reports and the status views`(): Unit = rolling(CampaignPolicy()).use { e ->
        e.execute(a, t(3), Command.HaltUpgrades(HaltUpgrades("C2", null, "our own checks")))
        assertTrue(explain(e, e5, 0x20, 3).blockers.contains(Blocker.HeldBySupplier(Party.OtherSupplier, null)))
        assertThrows(CommsHubOtaException.InvalidInput::class.java) { e.execute("dcc", t(3), Command.HaltUpgrades(HaltUpgrades("C2", null, "no set"))) }
        e.execute(a, t(3), Command.ResumeUpgrades(ResumeUpgrades("C2", null)))
        e.execute(csp, t(3), report(ok(0x10) + fail(0x11)))
        val lost = HanHealth.DeviceLostContact(HanDeviceKind.IHD)
        e.execute(a, t(4), Command.ReportHanHealth(ReportHanHealth("C2", listOf(HealthReport(h(0x10), lost)))))
        assertThrows(CommsHubOtaException.BulkRejected::class.java) {
            e.execute(d, t(4), Command.ReportHanHealth(ReportHanHealth("C2", listOf(HealthReport(h(0x10), HanHealth.AllFine)))))
        }
        val issue = inbox(e, csp).map { it.kind }.filterIsInstance<NotificationKind.HanHealthIssue>().single()
        assertNull(issue.customer)
        val status = e.ask<Answer.PilotStatus>("dcc", Query.PilotStatus("C2")).v1
        assertEquals(Triple(1L, 1L, 1L), Triple(status.total.succeeded, status.total.failed, status.total.healthIssues))
        assertEquals(listOf("SUP-A"), status.rows.map { it.customer })
        assertNull(e.ask<Answer.PilotStatus>(csp, Query.PilotStatus("C2")).v1.rows.single().customer)
        val x = e.ask<Answer.Progress>("dcc", Query.CampaignProgress("C2", t(4))).v1.first { it.set == setOf(e, 0x12) }
        assertEquals(x.upgradeableNow + x.awaitingConsent + x.blocked, x.eligible)
        assertEquals(1L to 1L, x.succeeded to x.failed)
        assertTrue(e.ask<Answer.EstateByFirmware>(a, Query.EstateByFirmware("SUP-A")).v1.contains(FirmwareCount("CH-N-DB", "2.0", 1L)))
        assertThrows(CommsHubOtaException.NotPermitted::class.java) { e.query(a, Query.EstateByFirmware(null)) }
    }

    @Test
    fun `the retirement evidence says what the pilot caught`(): Unit = rolling(CampaignPolicy()).use { e ->
        e.execute(csp, t(3), report(ok(0x10) + fail(0x11)))
        e.execute("dcc", t(4), Command.GrantMassRolloutOa(GrantMassRolloutOa("C2", "no verdicts: the evidence test")))
        e.execute(csp, t(5), report(fail(0x12) + fail(0x16) + ok(0x17)))
        val evidence = { who: String -> e.ask<Answer.RetirementEvidence>(who, Query.RetirementEvidence()).v1 }
        val dcc = evidence("dcc")
        assertEquals(Triple(1L, 0L, 1L), Triple(dcc.caught, dcc.missed, dcc.untested))
        assertEquals(listOf(Finding.UNTESTED, Finding.CAUGHT), dcc.campaigns.single().sets.map { it.finding })
        assertEquals(listOf(Finding.CAUGHT), evidence(a).campaigns.single().sets.map { it.finding })
        assertThrows(CommsHubOtaException.NotPermitted::class.java) { e.query(a, Query.RetirementEvidence("SUP-D")) }
    }

    @Test
    fun `a flagger retracts or resolves its flag and those told of it are told how`(): Unit = rolling(CampaignPolicy()).use { e ->
        val subject = DefectSubject.ConfigurationSet(setOf(e, 0x10))
        val flag = { text: String ->
            e.execute(a, t(4), Command.FlagDefect(FlagDefect(subject, text, false, true))).single().payload
                .let { (it as EventPayload.DefectFlagged).v1.flag }
        }
        val first = flag("IHD pairing")
        e.execute(a, t(5), Command.WithdrawDefectFlag(WithdrawDefectFlag(first, FlagClosure.RESOLVED, "fixed in 2.0.1")))
        val second = flag("EM-A1 reboots")
        e.execute(a, t(5), Command.WithdrawDefectFlag(WithdrawDefectFlag(second)))
        val closed = inbox(e, d).map { it.kind }.filterIsInstance<NotificationKind.DefectFlagClosed>()
        assertEquals(listOf(first to FlagClosure.RESOLVED, second to FlagClosure.RETRACTED), closed.map { it.flag to it.closure })
        assertEquals(listOf("fixed in 2.0.1", null), closed.map { it.note })
        assertTrue(closed.all { it.flaggedBy == null })
        assertTrue(explain(e, a, 0x10, 5).upgradeable)
        assertThrows(CommsHubOtaException.NotFound::class.java) { e.execute(a, t(5), Command.WithdrawDefectFlag(WithdrawDefectFlag(first))) }
    }

    @Test
    fun `defect flags, pacing and acknowledgements`(): Unit = rolling(
        CampaignPolicy(pacing = Pacing(2, 2.0, listOf(Blackout.Weekly(Weekday.SUNDAY, 0, 24), Blackout.Dates(LocalDate.parse("2026-02-01"), LocalDate.parse("2026-02-02"))))),
    ).use { e ->
        val list = { day: Long -> e.ask<Answer.UpgradePage>(csp, Query.UpgradeList(Region.NORTH, t(day), 0L, 100L)).v1 }
        assertEquals(0L, list(3).total)
        val page = list(4)
        assertEquals(2L to 9L, page.total to page.heldBackByPacing)
        e.execute(a, t(4), Command.FlagDefect(FlagDefect(DefectSubject.ConfigurationSet(setOf(e, 0x10)), "IHD pairing", false, true)))
        val flags = { who: String -> e.ask<Answer.DefectFlags>(who, Query.DefectFlags).v1 }
        val flag = flags(d).single()
        assertNull(flag.flaggedBy)
        assertEquals(emptyList<DefectView>(), flags(e5))
        // Another's flag answers exactly as one that does not exist; ids are digests, not counts.
        assertTrue(flag.flag > 1000L)
        val lift = { n: Long -> Command.LiftDefectSuspension(LiftDefectSuspension(n)) }
        assertThrows(CommsHubOtaException.NotFound::class.java) { e.execute(d, t(4), lift(flag.flag)) }
        assertThrows(CommsHubOtaException.NotFound::class.java) { e.execute(a, t(4), lift(flag.flag + 1L)) }
        e.execute(a, t(4), lift(flag.flag))
        val notices = inbox(e, d)
        assertTrue(notices[1].kind is NotificationKind.DefectFlagged)
        val ack = { n: Long -> Command.AcknowledgeNotifications(AcknowledgeNotifications(n)) }
        e.execute(d, t(4), ack(notices[0].id))
        assertEquals(1, inbox(e, d).size)
        assertThrows(CommsHubOtaException.PreconditionFailed::class.java) { e.execute(d, t(4), ack(1L)) }
        assertThrows(CommsHubOtaException.InvalidInput::class.java) { e.execute(d, t(4), ack(99L)) }
        assertThrows(CommsHubOtaException.InvalidInput::class.java) { e.query(d, Query.Notifications(0L)) }
    }

    @Test
    fun `the other supplier of a split hub hears of withdrawal and rejection unnamed`(): Unit = rolling(CampaignPolicy()).use { e ->
        val told = {
            inbox(e, "customer:SUP-E").mapNotNull {
                when (val k = it.kind) {
                    is NotificationKind.OtherSupplierConsented -> "consented" to k.hubs
                    is NotificationKind.OtherSupplierWithdrew -> "withdrew" to k.hubs
                    is NotificationKind.OtherSupplierRejected -> "rejected" to k.hubs
                    else -> null
                }
            }
        }
        assertEquals(listOf("consented" to listOf(h(0x20))), told())
        e.execute(a, t(3), Command.WithdrawWholeEstateApproval(WithdrawWholeEstateApproval("C2")))
        assertEquals(listOf("withdrew" to listOf(h(0x20))), told())
        e.execute(a, t(4), Command.RejectHubs(RejectHubs("C2", listOf(h(0x20)), "meter exchange booked")))
        assertEquals(listOf("rejected" to listOf(h(0x20))), told())
    }
}
