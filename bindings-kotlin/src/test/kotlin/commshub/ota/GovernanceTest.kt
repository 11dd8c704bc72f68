package commshub.ota

import commshub.ota.model.*
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/** Pilot governance (decision 24, issue 26) from Kotlin: gate withdrawal and recall. */
class GovernanceTest {
    private fun withdraw(version: String, gate: Gate, reason: String = "IHD pairing lost") =
        Command.WithdrawGate(WithdrawGate("CH-N-DB", version, gate, reason))
    private fun firmware(e: Engine, who: String, version: String) =
        e.ask<Answer.FirmwareVersions>(who, Query.FirmwareVersions("CH-N-DB")).v1.single { it.version == version }

    @Test
    fun `a recalled version suspends its campaigns until it passes again`(): Unit = fixture("pilot_c1.json").use { e ->
        assertEquals(listOf("gate_withdrawn"), e.execute("dcc", t(5), withdraw("2.0", Gate.PRODUCTION_CPL)).map { it.eventType })
        assertEquals(Phase.SUSPENDED, e.ask<Answer.Campaign>("dcc", Query.Campaign("C1")).v1.phase)
        val fw = firmware(e, "customer:SUP-B", "2.0")
        assertFalse(fw.onProductionCpl)
        assertEquals(listOf(Gate.PRODUCTION_CPL to "IHD pairing lost"), fw.withdrawals.map { it.gate to it.reason })
        assertThrows(CommsHubOtaException.PreconditionFailed::class.java) {
            e.execute("dcc", t(6), Command.ResumeCampaign(ResumeCampaign("C1")))
        }
        e.execute("dcc", t(6), Command.RecordGate(RecordGate("CH-N-DB", "2.0", Gate.PRODUCTION_CPL)))
        e.execute("dcc", t(6), Command.ResumeCampaign(ResumeCampaign("C1")))
        assertEquals(Phase.PILOT, e.ask<Answer.Campaign>("dcc", Query.Campaign("C1")).v1.phase)
    }

    @Test
    fun `only the recorder withdraws a gate`(): Unit = fixture("pilot_c1.json").use { e ->
        assertThrows(CommsHubOtaException.NotPermitted::class.java) { e.execute("customer:SUP-B", t(5), withdraw("2.0", Gate.CUSTOMER_TESTED)) }
        assertThrows(CommsHubOtaException.NotPermitted::class.java) { e.execute("csp:south", t(5), withdraw("2.0", Gate.CSP_APPROVED)) }
        assertThrows(CommsHubOtaException.InvalidInput::class.java) { e.execute("dcc", t(5), withdraw("2.0", Gate.PRODUCTION_CPL, " ")) }
        e.execute("dcc", t(5), withdraw("1.1", Gate.CUSTOMER_TESTED))
        val fw = firmware(e, "customer:SUP-B", "1.1")
        assertEquals("dcc", fw.withdrawals.single().by)
        // Testing reopened: SUP-B's feedback is of the round before.
        assertEquals(listOf(0 to false), fw.testFeedback.map { it.round to it.current })
        assertThrows(CommsHubOtaException.PreconditionFailed::class.java) { e.execute("dcc", t(5), withdraw("1.1", Gate.CUSTOMER_TESTED)) }
    }

    private fun feedback(version: String, result: TestResult, text: String) =
        Command.RecordTestFeedback(RecordTestFeedback("CH-N-DB", version, result, text))
    private fun close(note: String? = null) = Command.RecordGate(RecordGate("CH-N-DB", "3.0", Gate.CUSTOMER_TESTED, note))

    @Test
    fun `customer testing is given per customer and closed by the DCC`(): Unit = fixture("pilot_c1.json").use { e ->
        e.execute("csp:north", t(3), Command.RegisterFirmware(RegisterFirmware("CH-N-DB", "3.0", listOf("2.0"))))
        e.execute("csp:north", t(3), Command.RecordGate(RecordGate("CH-N-DB", "3.0", Gate.CSP_APPROVED)))
        val early = assertThrows(CommsHubOtaException.PreconditionFailed::class.java) {
            e.execute("customer:SUP-A", t(3), feedback("3.0", TestResult.PASSED, "fine"))
        }
        assertEquals(Rule.GATE_ORDER, early.rule)
        e.execute("dcc", t(3), Command.RecordGate(RecordGate("CH-N-DB", "3.0", Gate.DCC_TEST_APPROVED)))
        assertThrows(CommsHubOtaException.NotPermitted::class.java) { e.execute("customer:SUP-A", t(4), close("fine")) }
        val none = assertThrows(CommsHubOtaException.NotPermitted::class.java) {
            e.execute("customer:SUP-E", t(4), feedback("3.0", TestResult.PASSED, "fine"))
        }
        assertTrue(none.message!!.contains("SUP-E supplies no hub of variant CH-N-DB"), none.message)
        assertThrows(CommsHubOtaException.NotFound::class.java) { e.execute("customer:SUP-A", t(4), feedback("9.9", TestResult.PASSED, "fine")) }
        val blank = assertThrows(CommsHubOtaException.InvalidInput::class.java) { e.execute("customer:SUP-A", t(4), feedback("3.0", TestResult.PASSED, " ")) }
        assertEquals("feedback", blank.field)
        assertEquals(listOf("test_feedback_recorded"), e.execute("customer:SUP-A", t(4), feedback("3.0", TestResult.PASSED, "40 rigs")).map { it.eventType })
        val twice = assertThrows(CommsHubOtaException.PreconditionFailed::class.java) {
            e.execute("customer:SUP-A", t(4), feedback("3.0", TestResult.PASSED, "again"))
        }
        assertEquals(Rule.NO_CHANGE, twice.rule)
        e.execute("customer:SUP-B", t(4), feedback("3.0", TestResult.ISSUES_FOUND, "IHD drops pairing"))
        assertEquals(
            listOf("SUP-A" to TestResult.PASSED, "SUP-B" to TestResult.ISSUES_FOUND),
            firmware(e, "dcc", "3.0").testFeedback.map { it.customer to it.result },
        )
        assertEquals(listOf(null, null), firmware(e, "csp:north", "3.0").testFeedback.map { it.customer })
        assertEquals(listOf("SUP-B"), firmware(e, "customer:SUP-B", "3.0").testFeedback.map { it.customer })
        val over = assertThrows(CommsHubOtaException.InvalidInput::class.java) { e.execute("dcc", t(5), close()) }
        assertEquals("note", over.field)
        e.execute("dcc", t(5), close("the pairing loss is the IHD's"))
        assertEquals(Gate.CUSTOMER_TESTED, firmware(e, "customer:SUP-C", "3.0").gates.last().gate)
    }

    @Test
    fun `the default assessment period is two weeks`(): Unit = fixture("two_regions.json").use { e ->
        assertEquals(14, CampaignPolicy().minAssessmentDays)
        e.execute("dcc", t(1), Command.CreateCampaign(CreateCampaign("C9", "CH-N-DB", "2.0", t(60))))
        e.execute("dcc", t(2), Command.GrantPilotOa(GrantPilotOa("C9")))
        val early = assertThrows(CommsHubOtaException.PreconditionFailed::class.java) {
            e.execute("dcc", t(15), Command.GrantMassRolloutOa(GrantMassRolloutOa("C9")))
        }
        assertEquals(Rule.PILOT_ASSESSMENT, early.rule)
        assertTrue(early.message!!.contains("the assessment period, which ends 2026-01-17"), early.message)
        e.execute("dcc", t(16), Command.GrantMassRolloutOa(GrantMassRolloutOa("C9")))
        assertEquals(Phase.MASS_ROLLOUT, e.ask<Answer.Campaign>("dcc", Query.Campaign("C9")).v1.phase)
    }
}
