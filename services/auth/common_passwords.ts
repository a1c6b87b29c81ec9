/**
 * Passwords of 12 or more characters that are common in public breach corpora (the shorter ones are already
 * refused by the length rule, so they are not listed). Written from memory of those lists: the usual
 * suspects are number and keyboard runs, "password"/"iloveyou"/"welcome" plus digits or years, names, teams
 * and brands plus "123…", and doubled words. Trading words are added because this is a trading platform and
 * users pick words from the context they are in.
 *
 * Stored lower-case; look up with the lower-cased password. Sequences and repetitions beyond this list are
 * caught by the rules in `password_policy.ts`.
 */
const LIST = `
!@#$%^&*()_+ !qaz2wsx3edc !qaz@wsx#edc 000000000000 098765432109 098765432112 111111111111
11111111111111 112233445566 121212121212 123123123123 123412341234 12341234qwer 12344321qwer
123451234512 1234512345123 123456123456 1234567890-= 123456789000 123456789012 1234567890123
12345678901234 1234567890abc 1234567890qwertyuiop 1234567891011 123456789123 123456789987 123456789abc
123456789asd 123456789qwe 123456abcdef 123456qwerty 1234qwerasdf 1234qwerasdfzxcv 123654789123
123abc123abc 147258369123 147852369147 159357159357 159753258456 1q2w3e4r1q2w3e4r 1q2w3e4r5t6y
1q2w3e4r5t6y7u 1q2w3e4r5t6y7u8i9o0p 1qaz!qaz2wsx 1qaz2wsx1qaz2wsx 1qaz2wsx3edc 1qaz2wsx3edc4rfv
1qaz@wsx3edc 1qazxsw23edc 222222222222 666666666666 741852963741 777777777777 789456123789 888888888888
987654321012 987654321098 987654321987 999999999999 a1b2c3d4e5f6 aaaaaa123456 abc123!@#abc abc123456789
abc123abc123 abcabcabcabc abcd12345678 abcdef123456 abcdefg12345 abcdefgh1234 abcdefghijkl abcdefghijklm
access123456 admin1234567 admin123456789 admin1234admin admin@123456 adminadmin123 administrator
administrator1 administrator123 alexander123 alexandra123 amanda123456 andrew123456 anthony12345
anything1234 apple1234567 arsenal12345 asd123asd123 asdf12345678 asdf1234asdf asdfasdfasdf asdfghjkl123
asdfghjkl1234 asdfghjklqwe asdfghjklzxcvbnm ashley123456 autumn123456 babyboy12345 babygirl1234
babygirl12345 barcelona123 baseball1234 baseball12345 basketball12 basketball123 batman123456
beautiful123 beautiful1234 benjamin1234 birthday1234 bitcoin12345 bitcoin123456 blackberry12
blahblahblah blink1821821 blueberry123 bluesky12345 brittany1234 butterfly123 butterfly1234 callofduty12
catherine123 changeme1234 changemenow1 charles12345 charlie12345 cheerleader1 cheerleading chelsea12345
chevrolet123 chocolate123 chocolate1234 christina123 christmas123 christmas2023 christopher1
christopher12 chucknorris1 computer1234 computer12345 correcthorsebatterystaple counterstrike
courtney1234 cowboys12345 cristianoronaldo crypto123456 daniel123456 danielle1234 darthvader12
daytrader123 december1234 default12345 demo12345678 directioner1 doraemon1234 dragon123456 dragonball12
dragonballz1 dragondragon dragonfly123 elizabeth123 eminem123456 ethereum1234 facebook1234 facebook12345
ferrari12345 football1234 football12345 forever12345 foreverlove1 forex1234567 fortnite1234 gabriella123
gandalf12345 godbless1234 godisgood123 goodluck1234 goodmorning1 google123456 greenday1234 guest1234567
hahahahahaha halloween123 handsome1234 hannah123456 happy1234567 happybirthday harleydavidson
harrypotter1 harrypotter12 harrypotter123 heather12345 hehehehehehe hello1234567 hello12345678
hellohello12 hellokitty12 hellokitty123 helloworld12 helloworld123 hockey123456 hogwarts1234
iamthebest123 iamthebest1234 ichliebedich ilovemusic12 ilovemydog12 ilovemyfamily ilovemymom12
iloveyou1234 iloveyou12345 iloveyou123456 iloveyou1314 iloveyou2010 iloveyou2012 iloveyoubaby
iloveyoudad1 iloveyouforever iloveyouiloveyou iloveyoujesus iloveyoumom1 iloveyoumom123 iloveyoumore
iloveyousomuch iloveyoutoo1 instagram123 internet1234 internet12345 investment12 iphone123456
isabella1234 jackson12345 january12345 jennifer1234 jessica12345 jesuschrist1 jesusislord1 jesuslovesme
jetaime12345 jonathan1234 jordan232323 joshua123456 justinbieber juventus1897 katherine123 kawasaki1234
kobebryant24 lakers123456 lalalalalala lauren123456 leagueoflegends lebronjames23 letmein1234!
letmein12345 letmein123456 letmeinletmein letmeinplease linkedin1234 linkinpark12 liverpool123
liverpool1892 lollollollol lordoftherings lovelove1234 lovelovelove loveme123456 loveyou12345
loveyouforever makemoney123 manchester123 manchesterunited master123456 masterkey1234 matthew12345
melissa12345 mercedes1234 messi1234567 metallica123 michael12345 michaeljackson michaeljordan
michelle1234 microsoft123 midnight1234 millionaire1 millionaire123 minecraft123 minecraft1234
money1234567 moneymoney12 monkey123456 monkeymonkey moonlight123 motorcycle12 mustang12345 mylove123456
myloveforever mypassword12 mypassword123 mypassword1234 mysecretpassword myspace12345 naruto123456
narutouzumaki nicholas1234 nicole123456 nintendo1234 nirvana12345 nopassword12 nopassword123
nothing12345 notmypassword onedirection onepiece1234 opensesame123 p@$$w0rd1234 p@ssw0rd123!
p@ssw0rd1234 p@ssword1234 pa$$word1234 pa55w0rd1234 packers12345 passpasspass passw0rd123! passw0rd1234
password!123 password0000 password0123 password1111 password12!@ password1212 password123!
password123!@# password1234 password1234! password12341234 password12345 password12345! password123456
password1234567 password2020 password2021 password2022 password2023 password2024 password2025
password@123 passwordpassword passwordpassword1 passwordqwerty patrick12345 patriots1234 pikachu12345
pineapple123 playstation1 playstation2 playstation3 playstation4 playstation5 poiuytrewq12 pokemon12345
princesa1234 princess1234 princess12345 q1w2e3r4t5y6 qazwsx123456 qazwsxedc123 qazwsxedcrfv qwe123qwe123
qweasdzxc123 qweasdzxc1234 qwer1234qwer qwerty!@#$%^ qwerty123!@# qwerty1234!@ qwerty123456
qwerty1234567 qwerty12345678 qwerty123456789 qwerty123qwerty qwertyasdfgh qwertyasdfghzxcvbn
qwertypassword qwertyqwerty qwertyui1234 qwertyuiop12 qwertyuiop123 qwertyuiop1234 qwertyuiopasdfghjkl
qwertyuiopasdfghjklzxcvbnm rainbow12345 realmadrid12 rebecca12345 redsox123456 richard12345 richman12345
robert123456 roblox123456 root12345678 rootpassword samantha1234 samsung12345 samsunggalaxy sarah1234567
scoobydoo123 secret123456 secret12345678 secretpassword september123 shadow123456 shadowshadow
skateboard12 skywalker123 slipknot1234 snowboarding soccer123456 something123 spiderman123 spiderman1234
spongebob123 spongebob1234 spring2024!! starlight123 starwars1234 starwars12345 steelers1234
stephanie123 stockmarket1 strawberry12 summer123456 summer2020!! sunflower123 sunshine1234 superman1234
supersecret1 supersecret123 superuser123 sweetheart12 sweetheart123 sysadmin1234 taylorswift1
taylorswift13 teamo1234567 temp12345678 temporary123 tennis123456 tequiero1234 test12345678 test1234test
testing12345 testtest1234 thequickbrownfox thequickbrownfoxjumpsoverthelazydog thisismypassword
thomas123456 toor12345678 topsecret123 trader123456 trading12345 trustno1trustno1 twitter12345
unknown12345 valentine123 victoria1234 volleyball12 warcraft1234 watermelon12 welcome1234! welcome12345
welcome123456 welcome2020! welcome2023! welcome2024! welcome2025! whatever1234 whatever12345
william12345 windows12345 winter123456 worldofwarcraft yamaha123456 yankees12345 youtube12345
zaq!2wsxcde3 zaq12wsxcde3 zaq12wsxcde34rfv zaq1zaq1zaq1 zxc123zxc123 zxcvbnm12345 zxcvbnm123456
zxcvbnmasdfghjkl zxcvbnmqwerty
`;

/** Lower-cased common passwords, each at least 12 characters. */
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set(LIST.split(/\s+/).filter(Boolean));
