import Factorization
import XCTest

final class ParameterTests: XCTestCase {
    func testDefaultsAreValid() throws {
        XCTAssertNoThrow(try ImplicitALSParameters().validate())
    }

    func testEachOutOfRangeFieldIsNamed() {
        var p = ImplicitALSParameters()
        p.factors = 0
        XCTAssertThrowsError(try p.validate()) { XCTAssertTrue("\($0)".contains("factors")) }
        p = ImplicitALSParameters()
        p.regularization = -1
        XCTAssertThrowsError(try p.validate()) { XCTAssertTrue("\($0)".contains("regularization")) }
        p = ImplicitALSParameters()
        p.alpha = .nan
        XCTAssertThrowsError(try p.validate()) { XCTAssertTrue("\($0)".contains("alpha")) }
        p = ImplicitALSParameters()
        p.solver = .conjugateGradient(steps: 0)
        XCTAssertThrowsError(try p.validate()) { XCTAssertTrue("\($0)".contains("conjugate-gradient")) }
    }
}
