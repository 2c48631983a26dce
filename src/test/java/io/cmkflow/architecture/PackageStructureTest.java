package io.cmkflow.architecture;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The structure docs/architecture.md describes, read from the built classes of each module. The module graph already
 * keeps the stand-ins and dev mode off the product's compile classpath; these rules say the rest: no cycles among the
 * product's packages; what they share lives in {@code contract}, which depends on none of them; the stand-ins use no
 * cmkflow class outside their own packages (they speak Azure's and Service Bus's contracts, not cmkflow's).
 */
class PackageStructureTest {

    private static JavaClasses product;
    private static JavaClasses standIns;

    @BeforeAll
    static void importMainClasses() {
        product = new ClassFileImporter().importPath(Path.of("product", "target", "classes"));
        standIns = new ClassFileImporter().importPath(Path.of("stand-ins", "target", "classes"));
    }

    @Test
    void productPackagesAreFreeOfCycles() {
        slices().matching("io.cmkflow.(**)").should().beFreeOfCycles().check(product);
    }

    @Test
    void theContractDependsOnNoOtherCmkflowPackage() {
        noClasses().that().resideInAPackage("io.cmkflow.contract..")
                .should().dependOnClassesThat(cmkflowOutside("io.cmkflow.contract"))
                .check(product);
    }

    @Test
    void theProductReachesNoStandInOrDevClass() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("io.cmkflow.standins..", "io.cmkflow.dev..")
                .check(product);
    }

    @Test
    void theStandInsUseNoCmkflowClassOutsideTheirOwnPackages() {
        noClasses().should().dependOnClassesThat(cmkflowOutside("io.cmkflow.standins")).check(standIns);
    }

    private static DescribedPredicate<JavaClass> cmkflowOutside(String own) {
        return DescribedPredicate.describe("cmkflow classes outside " + own, c -> c.getPackageName().startsWith("io.cmkflow")
                && !c.getPackageName().startsWith(own));
    }
}
