// Submits forms marked data-autosubmit (the hand-over to the bank's page and back); the
// button stays for browsers without JavaScript.
(function () {
  var forms = document.querySelectorAll("form[data-autosubmit]");
  for (var i = 0; i < forms.length; i++) { forms[i].submit(); }
})();
