// Submit the authorization response (response_mode=form_post) as soon as the page loads.
document.addEventListener("DOMContentLoaded", function () { document.getElementById("form_post").submit(); });
