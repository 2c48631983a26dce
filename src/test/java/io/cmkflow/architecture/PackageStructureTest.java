package io.cmkflow.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The package structure docs/architecture.md describes: no cycles among cmkflow's packages; what they share lives in
 * {@code contract}, which depends on none of them; only the dev-mode wiring ({@code io.cmkflow.local} itself) and the
 * command line reach the stand-ins, and the stand-ins depend on no product package but the contract.
 */
class PackageStructureTest {

    private static final String[] PRODUCT = {"io.cmkflow.contract..", "io.cmkflow.request..", "io.cmkflow.workflow..",
            "io.cmkflow.azure..", "io.cmkflow.operator..", "io.cmkflow.temporal.."};
    private static final String[] STAND_INS = {"io.cmkflow.local.arm..", "io.cmkflow.local.servicebus.."};

    private static JavaClasses main;

    @BeforeAll
    static void importMainClasses() {
        main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.cmkflow");
    }

    @Test
    void packagesAreFreeOfCycles() {
        slices().matching("io.cmkflow.(**)").should().beFreeOfCycles().check(main);
    }

    @Test
    void theContractDependsOnNoOtherCmkflowPackage() {
        noClasses().that().resideInAPackage("io.cmkflow.contract..")
                .should().dependOnClassesThat().resideInAnyPackage(productButContract())
                .orShould().dependOnClassesThat().resideInAPackage("io.cmkflow.local..")
                .check(main);
    }

    @Test
    void productPackagesDoNotReachTheStandIns() {
        noClasses().that().resideInAnyPackage(PRODUCT)
                .should().dependOnClassesThat().resideInAPackage("io.cmkflow.local..")
                .check(main);
    }

    @Test
    void theStandInsDependOnNoProductPackageButTheContract() {
        noClasses().that().resideInAnyPackage(STAND_INS)
                .should().dependOnClassesThat().resideInAnyPackage(productButContract())
                .check(main);
    }

    private static String[] productButContract() {
        return java.util.Arrays.stream(PRODUCT).filter(p -> !p.startsWith("io.cmkflow.contract")).toArray(String[]::new);
    }
}
