package commshub.ota

import commshub.ota.model.*
import org.apache.arrow.memory.RootAllocator
import org.apache.arrow.vector.BitVector
import org.apache.arrow.vector.VarCharVector
import org.apache.arrow.vector.ipc.ArrowStreamReader
import org.apache.arrow.vector.dictionary.DictionaryEncoder
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.io.ByteArrayInputStream

/** Columnar answers as Arrow IPC stream bytes, read with Arrow Java (issue 14). */
class ArrowTest {
    private fun rolling(): Engine {
        val e = fixture("rollout_estate.json")
        e.execute("dcc", t(1), Command.CreateCampaign(CreateCampaign("C2", "CH-N-DB", "2.0", t(59), CampaignPolicy())))
        e.execute("dcc", t(2), Command.GrantPilotOa(GrantPilotOa("C2")))
        listOf("customer:SUP-A", "customer:SUP-D").forEach { e.execute(it, t(2), Command.ApproveWholeEstate(ApproveWholeEstate("C2"))) }
        return e
    }

    /** Every row of the stream as column -> text (dictionary columns decoded). */
    private fun rows(bytes: ByteArray): List<Map<String, String?>> {
        val out = mutableListOf<Map<String, String?>>()
        RootAllocator().use { allocator ->
            ArrowStreamReader(ByteArrayInputStream(bytes), allocator).use { reader ->
                val root = reader.vectorSchemaRoot
                while (reader.loadNextBatch()) {
                    val columns = root.fieldVectors.associate { v ->
                        val encoding = v.field.dictionary
                        val decoded = if (encoding != null) DictionaryEncoder.decode(v, reader.dictionaryVectors[encoding.id]) else v
                        v.name to decoded
                    }
                    for (i in 0 until root.rowCount) {
                        out += columns.mapValues { (_, v) -> v.getObject(i)?.toString() }
                    }
                    columns.forEach { (name, v) -> if (root.getVector(name) !== v) v.close() }
                }
            }
        }
        return out
    }

    @Test
    fun `the upgrade list as Arrow is the paged list whole`(): Unit = rolling().use { e ->
        val page = e.ask<Answer.UpgradePage>("csp:north", Query.UpgradeList(Region.NORTH, t(3), 0uL, 100_000uL)).v1
        val rows = rows(e.upgradeListArrow("csp:north", Region.NORTH, t(3)))
        assertEquals(page.total.toInt(), rows.size)
        assertTrue(rows.size > 3)
        rows.zip(page.entries).forEach { (row, entry) ->
            assertEquals(entry.hub, row["hub"])
            assertEquals(entry.campaign, row["campaign"])
            assertEquals(entry.nextVersion, row["next_version"])
            assertEquals(entry.target, row["target"])
            assertEquals(entry.nominated.toString(), row["nominated"])
        }
        assertThrows(CommsHubOtaException.NotPermitted::class.java) { e.upgradeListArrow("customer:SUP-A", Region.NORTH, t(3)) }
        assertEquals(0, rows(e.upgradeListArrow("dcc", Region.SOUTH, t(3))).size)
    }

    @Test
    fun `a customer's estate as Arrow hides the other supplier`(): Unit = rolling().use { e ->
        val views = e.ask<Answer.Hubs>("customer:SUP-A", Query.CustomerEstate("SUP-A")).v1
        val rows = rows(e.customerEstateArrow("customer:SUP-A", "SUP-A"))
        assertEquals(views.map { it.id }, rows.map { it["hub"] })
        val split = rows.filter { it["split_supply"] == "true" }
        assertTrue(split.isNotEmpty())
        assertTrue(split.all { it["gas_supplier"] == "hidden" && it["gas_vulnerable"] == null })
        assertThrows(CommsHubOtaException.NotPermitted::class.java) { e.customerEstateArrow("customer:SUP-A", "SUP-D") }
        assertThrows(CommsHubOtaException.InvalidId::class.java) { e.customerEstateArrow("customer:SUP-A", "") }
    }
}
