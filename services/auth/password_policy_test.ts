import assert from "node:assert/strict";
import { COMMON_PASSWORDS } from "./common_passwords.ts";
import { checkPasswordPolicy, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "./password_policy.ts";

const jane = { email: "jane.doe+trading@example.com", firstName: "Jane", lastName: "Okonkwo-Smith" };

Deno.test("password policy: good passwords pass", () => {
  for (
    const password of [
      "correct horse battery",
      "Xk9#mP2$vL7q",
      "trombone-lantern-oyster",
      "mi contraseña es larga",
      "🎺🥁🎻🎸🎹🪕🎷🪗🪘🎤🎧🎼",
    ]
  ) {
    assert.equal(checkPasswordPolicy(password, jane), null, password);
  }
});

Deno.test("password policy: length counts code points, 12 to 256", () => {
  assert.equal(checkPasswordPolicy("Tr0mb0ne!x"), "Use at least 12 characters (this one has 10).");
  assert.equal(checkPasswordPolicy(""), "Use at least 12 characters (this one has 0).");
  // 11 emoji are 22 UTF-16 units but 11 characters to the user.
  assert.equal(
    checkPasswordPolicy("🎺🥁🎻🎸🎹🪕🎷🪗🪘🎤🎧"),
    "Use at least 12 characters (this one has 11).",
  );
  assert.equal(checkPasswordPolicy("🎺🥁🎻🎸🎹🪕🎷🪗🪘🎤🎧🎼"), null);
  const longest = "plum tree ".repeat(26).slice(0, PASSWORD_MAX_LENGTH);
  assert.equal([...longest].length, 256);
  assert.equal(checkPasswordPolicy(longest), null);
  assert.equal(checkPasswordPolicy(longest + "x"), "Use at most 256 characters (this one has 257).");
  assert.equal(PASSWORD_MIN_LENGTH, 12);
});

Deno.test("password policy: common passwords are refused whatever their case", () => {
  const message = "This password is one of the most common ones, which attackers try first. Choose another.";
  for (const password of ["password1234", "PASSWORD1234", "iloveyou1234", "IloveYou1234", "Liverpool1892"]) {
    assert.equal(checkPasswordPolicy(password), message, password);
  }
  assert.equal(checkPasswordPolicy("ＰＡＳＳＷＯＲＤ１２３４"), message, "full-width forms fold to ASCII");
});

Deno.test("password policy: the user's email local part and names are refused (≥ 4 characters)", () => {
  assert.equal(
    checkPasswordPolicy("my jane.doe secret", jane),
    "Do not use your email address in your password.",
  );
  assert.equal(
    checkPasswordPolicy("JANE.DOE+TRADING rocks", jane),
    "Do not use your email address in your password.",
  );
  assert.equal(checkPasswordPolicy("hello okonkwo friend", jane), "Do not use your name in your password.");
  assert.equal(checkPasswordPolicy("smith-jones-smith", jane), "Do not use your name in your password.");
  assert.equal(checkPasswordPolicy("dear Jane, hello", jane), "Do not use your name in your password.");
  // Short details are too likely to appear by chance.
  const short = { email: "bo@example.com", firstName: "Li", lastName: "Ng" };
  assert.equal(checkPasswordPolicy("bold living angle", short), null);
  assert.equal(checkPasswordPolicy("bold living angle", {}), null);
  assert.equal(checkPasswordPolicy("bold living angle"), null);
});

Deno.test("password policy: repetitions and keyboard or number sequences are refused", () => {
  const message =
    "Avoid repeated characters and keyboard or number sequences; a few unrelated words work well.";
  for (
    const password of [
      "aaaaaaaaaaaa",
      "            ",
      "abababababab",
      "xyzxyzxyzxyz",
      "abcdefghijklmnop",
      "zyxwvutsrqponm",
      "345678901234",
      "098765432109876",
      "qwertyuiopas",
      "poiuytrewqlkjh",
      "1qaz2wsx3edc4r",
      "1q2w3e4r5t6y7u8",
      "qwerty987654",
      "abcd1234efgh",
      "aaaa1111bbbb",
      "+_)(*&^%$#@!~",
      "ASDF;LKJASDF",
      "aaaaaa😀😀😀😀😀😀",
    ]
  ) {
    assert.equal(checkPasswordPolicy(password), message, password);
  }
  // Four runs, or short runs inside real text, are not "obvious".
  assert.equal(checkPasswordPolicy("abcd1234efgh5678"), null);
  assert.equal(checkPasswordPolicy("my abc is 123 ok"), null);
});

Deno.test("common passwords: lower-case, at least 12 characters, a few hundred", () => {
  assert.ok(COMMON_PASSWORDS.size >= 300, `only ${COMMON_PASSWORDS.size}`);
  for (const password of COMMON_PASSWORDS) {
    assert.equal(password, password.toLowerCase(), password);
    assert.ok([...password].length >= 12, password);
  }
  for (const known of ["password1234", "123456789012", "qwertyuiop12", "iloveyou1234"]) {
    assert.ok(COMMON_PASSWORDS.has(known), known);
  }
});

Deno.test("password policy: a maximal hostile input is checked quickly", () => {
  const started = performance.now();
  for (let i = 0; i < 20; i++) checkPasswordPolicy("ab".repeat(64) + "qw".repeat(64));
  assert.ok(performance.now() - started < 2000, "the run search stays cheap at 256 characters");
});
