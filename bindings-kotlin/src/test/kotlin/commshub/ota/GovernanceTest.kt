package commshub.ota

import commshub.ota.model.*
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertThrows
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
        e.execute("customer:SUP-A", t(5), withdraw("1.1", Gate.CUSTOMER_TESTED))
        assertNull(firmware(e, "customer:SUP-B", "1.1").withdrawals.single().by)
        assertThrows(CommsHubOtaException.PreconditionFailed::class.java) { e.execute("customer:SUP-A", t(5), withdraw("1.1", Gate.CUSTOMER_TESTED)) }
    }
}
